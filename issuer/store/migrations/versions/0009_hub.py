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
    # Plain ADD/DROP COLUMN (SQLite 3.35+ and PostgreSQL), no batch copy: on SQLite, copying
    # ``course`` would drop a table that every credential row references.
    op.add_column('course', sa.Column('translations', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('course', 'translations')
