"""courses: optional per-language title and description (issue #14 §3)

Revision ID: 0009_hub
Revises: 0010_key_compromise
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_hub'
down_revision = '0010_key_compromise'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('translations', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('translations')
