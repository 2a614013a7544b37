"""HTML pages for learners and employers (placeholder blueprint; the pages module grows here)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)
