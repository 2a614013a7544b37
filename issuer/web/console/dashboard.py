"""The console's dashboard: credentials issued, claimed, revoked and suspended per month (a chart)
and per course, and the latest activity (status events)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ...api.context import db, service
from ...store import console as views
from .base import bp, current_provider, render, requires
from .chart import SERIES_COLOURS, bar_chart

__all__ = ["dashboard"]


@bp.get("/")
@requires("read")
def dashboard():
    """Counts per month (optionally of one ``course``) and per course, and recent activity."""
    session = db()
    provider = current_provider()
    courses = views.course_counts(session, provider)
    course = request.args.get("course") or None
    if course is not None and course not in {c["code"] for c in courses}:
        course = None
    months = views.monthly_counts(session, provider, service().clock(), course_code=course)
    labels = {"issued": _("Issued"), "claimed": _("Claimed"), "revoked": _("Revoked"), "suspended": _("Suspended")}
    title = _("Credentials per month") if course is None else _("Credentials per month: %(course)s", course=course)
    chart = bar_chart(months, SERIES_COLOURS, title=title, labels=labels)
    return render("console/dashboard.html", chart=chart, months=months, courses=courses, course=course,
                  labels=labels, events=views.recent_events(session, provider), chart_title=title)
