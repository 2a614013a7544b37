"""batches: bulk issuance requests and their items (issue #12)

Revision ID: 0005_batches
Revises: 0009_hub
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_batches'
down_revision = '0009_hub'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'batch',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=200), nullable=True),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('on_invalid', sa.String(length=16), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('chunk_size', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('swept_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_id', 'idempotency_key'),
    )
    op.create_index('ix_batch_provider_id', 'batch', ['provider_id'])
    op.create_index('ix_batch_unfinished', 'batch', ['finished_at', 'created_at'])
    op.create_table(
        'batch_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.String(length=36), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('index', sa.Integer(), nullable=False),
        sa.Column('request', sa.Text(), nullable=True),
        sa.Column('idempotency_key', sa.String(length=200), nullable=True),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('credential_id', sa.String(length=36), nullable=True),
        sa.Column('problem', sa.JSON(), nullable=True),
        sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['batch.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('batch_id', 'position'),
    )
    op.create_index('ix_batch_item_state', 'batch_item', ['batch_id', 'state'])
    op.create_index('ix_batch_item_credential', 'batch_item', ['credential_id'])


def downgrade() -> None:
    op.drop_index('ix_batch_item_credential', table_name='batch_item')
    op.drop_index('ix_batch_item_state', table_name='batch_item')
    op.drop_table('batch_item')
    op.drop_index('ix_batch_unfinished', table_name='batch')
    op.drop_index('ix_batch_provider_id', table_name='batch')
    op.drop_table('batch')
