"""issuer profiles: legal identifier (VAT, eIDAS or national registry) for the ELM export

Revision ID: 0003_exports_legal_identifier
Revises: 0002_harden_course_paths
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_exports_legal_identifier'
down_revision = '0002_harden_course_paths'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_profile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_identifier', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('legal_identifier_scheme', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('issuer_profile', schema=None) as batch_op:
        batch_op.drop_column('legal_identifier_scheme')
        batch_op.drop_column('legal_identifier')
