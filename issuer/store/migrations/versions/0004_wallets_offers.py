"""wallet pickup: claim offers, claims (one holder per credential), OID4VCI nonces

Revision ID: 0004_wallets_offers
Revises: 0002_api_oauth_listing
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_wallets_offers'
down_revision = '0002_api_oauth_listing'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'credential_offer',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('credential_id', sa.String(length=36), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('claim_hash', sa.String(length=64), nullable=False),
        sa.Column('exchange_hash', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('tx_code_hash', sa.String(length=64), nullable=True),
        sa.Column('tx_code_length', sa.Integer(), nullable=True),
        sa.Column('tx_code_failures', sa.Integer(), nullable=False),
        sa.Column('access_token_hash', sa.String(length=64), nullable=True),
        sa.Column('access_token_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['credential_id'], ['credential.id']),
        sa.ForeignKeyConstraint(['provider_id'], ['provider.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('claim_hash'),
        sa.UniqueConstraint('exchange_hash'),
        sa.UniqueConstraint('code_hash'),
        sa.UniqueConstraint('access_token_hash'),
    )
    op.create_index('ix_credential_offer_credential_id', 'credential_offer', ['credential_id'])
    op.create_index('ix_credential_offer_provider_id', 'credential_offer', ['provider_id'])
    op.create_table(
        'credential_claim',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('credential_id', sa.String(length=36), nullable=False),
        sa.Column('offer_id', sa.String(length=36), nullable=False),
        sa.Column('holder_did', sa.String(length=2000), nullable=False),
        sa.Column('protocol', sa.String(length=16), nullable=False),
        sa.Column('formats', sa.JSON(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('document', sa.Text(), nullable=False),
        sa.Column('jwt', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['credential_id'], ['credential.id']),
        sa.ForeignKeyConstraint(['offer_id'], ['credential_offer.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('credential_id'),
    )
    op.create_index('ix_credential_claim_offer_id', 'credential_claim', ['offer_id'])
    op.create_table(
        'exchange_nonce',
        sa.Column('value', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('value'),
    )
    op.create_index('ix_exchange_nonce_expires_at', 'exchange_nonce', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_exchange_nonce_expires_at', table_name='exchange_nonce')
    op.drop_table('exchange_nonce')
    op.drop_index('ix_credential_claim_offer_id', table_name='credential_claim')
    op.drop_table('credential_claim')
    op.drop_index('ix_credential_offer_provider_id', table_name='credential_offer')
    op.drop_index('ix_credential_offer_credential_id', table_name='credential_offer')
    op.drop_table('credential_offer')
