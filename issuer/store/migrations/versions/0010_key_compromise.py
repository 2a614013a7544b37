"""signing keys reported compromised: signing_key.compromised_at, signing_key.compromise_note

Revision ID: 0010_key_compromise
Revises: 0006_notify
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_key_compromise'
down_revision = '0006_notify'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('signing_key') as batch:
        batch.add_column(sa.Column('compromised_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('compromise_note', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('signing_key') as batch:
        batch.drop_column('compromise_note')
        batch.drop_column('compromised_at')
