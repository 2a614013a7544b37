"""notifications: event outbox, webhook endpoints / deliveries / attempts, learner e-mail outbox,
provider.email_learners

Revision ID: 0006_notify
Revises: 0004_wallets_offers
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_notify'
down_revision = '0004_wallets_offers'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy): on SQLite, copying ``provider`` would drop a table every
    # other table's rows reference.
    op.add_column('provider', sa.Column('email_learners', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'notify_event',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=40), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notify_event_provider_created', 'notify_event', ['provider_id', 'created_at'])
    op.create_table(
        'webhook_endpoint',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2048), nullable=False),
        sa.Column('events', sa.JSON(), nullable=False),
        sa.Column('secret_sealed', sa.LargeBinary(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_webhook_endpoint_provider_id', 'webhook_endpoint', ['provider_id'])
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('event_id', sa.String(length=40), nullable=False),
        sa.Column('endpoint_id', sa.String(length=40), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_status', sa.Integer(), nullable=True),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['notify_event.id']),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoint.id']),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_webhook_delivery_due', 'webhook_delivery', ['state', 'next_attempt_at'])
    op.create_index('ix_webhook_delivery_endpoint', 'webhook_delivery', ['endpoint_id', 'created_at'])
    op.create_index('ix_webhook_delivery_event_id', 'webhook_delivery', ['event_id'])
    op.create_index('ix_webhook_delivery_provider_id', 'webhook_delivery', ['provider_id'])
    op.create_table(
        'webhook_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delivery_id', sa.String(length=40), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('response', sa.Text(), nullable=True),
        sa.Column('duration_ms', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['delivery_id'], ['webhook_delivery.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_webhook_attempt_delivery_id', 'webhook_attempt', ['delivery_id'])
    op.create_table(
        'email_outbox',
        sa.Column('id', sa.String(length=40), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('credential_id', sa.String(length=36), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('sealed', sa.LargeBinary(), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.ForeignKeyConstraint(['credential_id'], ['credential.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_email_outbox_due', 'email_outbox', ['state', 'next_attempt_at'])
    op.create_index('ix_email_outbox_provider_id', 'email_outbox', ['provider_id'])
    op.create_index('ix_email_outbox_credential_id', 'email_outbox', ['credential_id'])


def downgrade() -> None:
    op.drop_table('email_outbox')
    op.drop_table('webhook_attempt')
    op.drop_table('webhook_delivery')
    op.drop_table('webhook_endpoint')
    op.drop_table('notify_event')
    if op.get_bind().dialect.name == "sqlite":
        # SQLite >= 3.35 drops the column in place; batch mode would copy and drop ``provider``,
        # which the rows of every other table reference (FOREIGN KEY constraint failed).
        op.execute("ALTER TABLE provider DROP COLUMN email_learners")
    else:
        op.drop_column('provider', 'email_learners')
