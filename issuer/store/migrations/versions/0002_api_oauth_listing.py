"""API: OAuth 2.0 clients and tokens, API key scopes, credential listing indexes

Revision ID: 0002_api_oauth_listing
Revises: 0003_exports_legal_identifier
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_api_oauth_listing"
down_revision = "0003_exports_legal_identifier"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_key") as batch:
        batch.add_column(sa.Column("scopes", sa.Text(), nullable=True))
    with op.batch_alter_table("credential") as batch:
        batch.add_column(sa.Column("learner_email_index", sa.String(length=64), nullable=True))
    # credentials already issued to an e-mail address cannot get the keyed index (the address
    # is not stored): mark them, so the listing matches them by their salted hash instead
    op.execute("UPDATE credential SET learner_email_index = 'legacy' WHERE subject_id IS NULL")
    op.create_index("ix_credential_provider_issued", "credential", ["provider_id", "valid_from", "id"])
    # equality columns first, then the listing's order: one index range scan, already sorted
    op.create_index("ix_credential_provider_email", "credential",
                    ["provider_id", "learner_email_index", "valid_from", "id"])
    op.create_index("ix_credential_provider_subject", "credential", ["provider_id", "subject_id", "valid_from", "id"])
    op.create_table(
        "oauth_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=48), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"),
                  nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("client_id"),
    )
    op.create_index("ix_oauth_client_provider_id", "oauth_client", ["provider_id"])
    op.create_table(
        "oauth_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_in", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["oauth_client.id"]),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_oauth_token_client_id", "oauth_token", ["client_id"])
    op.create_index("ix_oauth_token_provider_id", "oauth_token", ["provider_id"])


def downgrade() -> None:
    op.drop_index("ix_oauth_token_provider_id", table_name="oauth_token")
    op.drop_index("ix_oauth_token_client_id", table_name="oauth_token")
    op.drop_table("oauth_token")
    op.drop_index("ix_oauth_client_provider_id", table_name="oauth_client")
    op.drop_table("oauth_client")
    op.drop_index("ix_credential_provider_subject", table_name="credential")
    op.drop_index("ix_credential_provider_email", table_name="credential")
    op.drop_index("ix_credential_provider_issued", table_name="credential")
    with op.batch_alter_table("credential") as batch:
        batch.drop_column("learner_email_index")
    with op.batch_alter_table("api_key") as batch:
        batch.drop_column("scopes")
