"""HTML pages for learners and employers."""
from __future__ import annotations

from flask import Blueprint, json
from markupsafe import escape

bp = Blueprint("web", __name__)


def credential_page(row):
    document = json.loads(row.document)
    return f"<!doctype html><title>{escape(document.get('name', 'Credential'))}</title>" \
           f"<h1>{escape(document.get('name', 'Credential'))}</h1>"


def coverage_page(row):
    return "<!doctype html><title>Coverage</title><h1>Coverage</h1>"
