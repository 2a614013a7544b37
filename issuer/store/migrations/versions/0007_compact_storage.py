"""compact credential storage: both signed forms in one zstd frame with a per-course dictionary

Revision ID: 0007_compact_storage
Revises: 0005_batches (written on 0004_wallets_offers; re-chained when merging main)

Existing rows are converted in place (each course's first credential becomes its dictionary), and
every converted row is checked to decode to the same bytes before the text columns are dropped.
On SQLite the file keeps its size until ``VACUUM`` (the freed pages are reused by new rows).
The container format is :mod:`issuer.store.compact` format 1, which stays readable by design.

Columns are added and dropped in place (``ALTER TABLE ... ADD/DROP COLUMN``, SQLite >= 3.35), not
by copying the table: a copy would have to drop ``credential``, which the status entries, offers
and claims reference. ``dictionary_id`` is therefore a plain column (dictionaries are never
deleted; the row's frame cannot be read without its dictionary anyway).
"""
from alembic import op
import sqlalchemy as sa

from issuer.store import compact


revision = '0007_compact_storage'
down_revision = '0005_batches'
branch_labels = None
depends_on = None

_CHUNK = 500


def upgrade() -> None:
    op.create_table(
        'credential_dictionary',
        sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['course.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_credential_dictionary_course_id', 'credential_dictionary', ['course_id'], unique=False)
    empty = "X''" if op.get_bind().dialect.name == "sqlite" else "'\\x'::bytea"
    op.add_column('credential', sa.Column('packed', sa.LargeBinary(), nullable=False, server_default=sa.text(empty)))
    op.add_column('credential', sa.Column('dictionary_id', sa.BigInteger(), nullable=True))

    conn = op.get_bind()
    dictionaries: dict = {}  # course id -> (dictionary id, bytes)
    last = ''
    while True:
        rows = conn.execute(sa.text("SELECT id, course_id, document, jwt FROM credential WHERE id > :last "
                                    "ORDER BY id LIMIT :n"), {"last": last, "n": _CHUNK}).all()
        if not rows:
            break
        for credential_id, course_id, document, jwt in rows:
            frame, dictionary_id = b'', None
            if document or jwt:
                container = compact.pack(document, jwt)
                if course_id not in dictionaries:
                    dictionaries[course_id] = (compact.new_dictionary_id(), container)
                    conn.execute(sa.text("INSERT INTO credential_dictionary (id, course_id, data) "
                                         "VALUES (:id, :course, :data)"),
                                 {"id": dictionaries[course_id][0], "course": course_id, "data": container})
                dictionary_id, data = dictionaries[course_id]
                frame = compact.compress(container, dictionary_id, data)
                if compact.unpack(compact.decompress(frame, dictionary_id, data)) != (document, jwt):
                    raise RuntimeError(f"credential {credential_id}: compact storage would change its bytes")
            conn.execute(sa.text("UPDATE credential SET packed = :packed, dictionary_id = :dictionary WHERE id = :id"),
                         {"packed": frame, "dictionary": dictionary_id, "id": credential_id})
        last = rows[-1][0]

    _drop_columns('credential', 'document', 'jwt')


def _drop_columns(table: str, *columns: str) -> None:
    for column in columns:  # in place on both databases (op.drop_column would copy the table on SQLite)
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')


def downgrade() -> None:
    op.add_column('credential', sa.Column('document', sa.Text(), nullable=False, server_default=''))
    op.add_column('credential', sa.Column('jwt', sa.Text(), nullable=False, server_default=''))
    conn = op.get_bind()
    dictionaries = {int(i): bytes(d) for i, d in conn.execute(sa.text("SELECT id, data FROM credential_dictionary"))}
    last = ''
    while True:
        rows = conn.execute(sa.text("SELECT id, packed, dictionary_id FROM credential WHERE id > :last "
                                    "ORDER BY id LIMIT :n"), {"last": last, "n": _CHUNK}).all()
        if not rows:
            break
        for credential_id, frame, dictionary_id in rows:
            document, jwt = '', ''
            if frame:
                data = dictionaries.get(int(dictionary_id)) if dictionary_id is not None else None
                document, jwt = compact.unpack(compact.decompress(bytes(frame), dictionary_id, data))
            conn.execute(sa.text("UPDATE credential SET document = :document, jwt = :jwt WHERE id = :id"),
                         {"document": document, "jwt": jwt, "id": credential_id})
        last = rows[-1][0]
    _drop_columns('credential', 'dictionary_id', 'packed')
    op.drop_index('ix_credential_dictionary_course_id', table_name='credential_dictionary')
    op.drop_table('credential_dictionary')
