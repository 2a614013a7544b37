"""Persistence: SQLAlchemy 2.0 models, repositories and read queries (no Flask).

SQLAlchemy 2.0 ORM: https://docs.sqlalchemy.org/en/20/orm/ ; schema changes are Alembic
migrations (:mod:`.migrations`, https://alembic.sqlalchemy.org/). Signed credentials are stored
verbatim (the JSON text and the compact JWT), never re-serialized."""
