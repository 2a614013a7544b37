"""provider console: staff accounts, single sign-on, retired courses, issuer logos

Revision ID: 0008_console
Revises: 0007_compact_storage
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_console'
down_revision = '0007_compact_storage'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'console_user',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=True),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=True),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
    )
    op.create_index('ix_console_user_provider_id', 'console_user', ['provider_id'])
    op.create_table(
        'console_sso',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('metadata_url', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=200), nullable=False),
        sa.Column('client_secret_sealed', sa.LargeBinary(), nullable=True),
        sa.Column('created', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_id'),
    )
    # Plain ADD COLUMN (no batch copy): on SQLite, copying ``course`` or ``issuer_profile`` would
    # drop a table that other tables' rows reference. ``logo_id`` has no foreign key constraint for
    # the same reason (SQLite cannot drop a column that is part of one); badge images are never deleted.
    op.add_column('course', sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('issuer_profile', sa.Column('logo_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite >= 3.35 drops a column in place (batch mode would copy and drop the tables).
        op.execute("ALTER TABLE issuer_profile DROP COLUMN logo_id")
        op.execute("ALTER TABLE course DROP COLUMN retired_at")
    else:
        op.drop_column('issuer_profile', 'logo_id')
        op.drop_column('course', 'retired_at')
    op.drop_table('console_sso')
    op.drop_index('ix_console_user_provider_id', table_name='console_user')
    op.drop_table('console_user')
