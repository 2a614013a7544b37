"""Persistence: SQLAlchemy 2.0 models and repositories (no Flask)."""
