"""Pages for people (learners and employers). Registered by ``init_app``."""
from __future__ import annotations

__all__ = ["init_app"]


def init_app(app) -> None:
    from .pages import bp
    app.register_blueprint(bp)
