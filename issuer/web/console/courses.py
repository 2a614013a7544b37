"""The console's catalogue and mapping: courses with the EU micro-credential elements (Council
Recommendation 2022/C 243/02; see docs/eu-microcredential-terms.md), their skills from the
competence matrix at a level (a searchable picker grouped by job role), the job roles a course
contributes to, the badge image, retiring a course, and importing a catalogue file.

Every change goes through :func:`issuer.skills.catalogue.import_courses` with a one-course
document, so the console accepts exactly what the API accepts."""
from __future__ import annotations

from flask import redirect, request
from flask_babel import gettext as _

from ...api.context import committing, db, service
from ...delivery.artifacts import store_course_image
from ...errors import BadRequest, IssuerError, ValidationFailed
from ...intake.strict_json import JsonError, strict_loads
from ...skills import catalogue
from ...store import console as views
from .base import bp, current_provider, flash_message, render, requires, uploaded_image, write_session

__all__ = ["courses", "course", "new_course", "edit_course", "change_skills", "upload_image", "retire",
           "import_catalogue", "course_document", "form_course"]

FORMS = ("online", "onsite", "blended")


def course_document(session, provider, code: str) -> dict:
    """The course ``code`` of ``provider`` as a course-catalogue entry (as exported)."""
    for entry in catalogue.export_courses(session, provider)["courses"]:
        if entry["code"] == code:
            return entry
    views.get_course(session, provider, code)  # raises NotFound
    raise AssertionError("unreachable")


def _number(form, name: str, kind=float):
    value = form.get(name, "").strip().replace(",", ".")
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise ValidationFailed(_("%(field)s must be a number.", field=name)) from None


def form_course(form, base: dict | None = None) -> dict:
    """A course-catalogue entry from the course form, on top of ``base`` (the stored entry, whose
    skills are kept). Learning outcomes are one per line."""
    entry = dict(base or {})
    for field, key in (("title", "title"), ("description", "description"), ("criteria", "criteria"),
                       ("assessmentType", "assessmentType"), ("qualityAssurance", "qualityAssurance")):
        entry[key] = form.get(field, "").strip()
    if base is None:
        entry["code"] = form.get("code", "").strip()
    entry["participationForm"] = form.get("participationForm", "")
    entry["learningOutcomes"] = [line.strip() for line in form.get("learningOutcomes", "").splitlines()
                                 if line.strip()][:50]
    workload = {k: v for k, v in (("hours", _number(form, "hours")), ("ects", _number(form, "ects")))
                if v is not None}
    entry["workload"] = workload
    entry["eqfLevel"] = _number(form, "eqfLevel", int)
    language = form.get("language", "").strip()
    entry.pop("language", None)
    if language:
        entry["language"] = language
    days = _number(form, "validityDays", int)
    entry.pop("validityPeriod", None)
    if days:
        entry["validityPeriod"] = {"days": days}
    return entry


def _import_one(entry: dict) -> None:
    session = write_session()
    provider = current_provider(session)
    with committing(session):
        catalogue.import_courses(session, provider, {"courses": [entry]})


def _problems(exc: IssuerError) -> list[str]:
    return [f"{e.get('path', '')}: {e.get('message', '')}" for e in exc.errors]


@bp.get("/courses")
@requires("read")
def courses():
    """The provider's courses with their skills and credential counts."""
    session = db()
    provider = current_provider()
    counts = {c["code"]: c for c in views.course_counts(session, provider)}
    return render("console/courses.html", courses=views.courses_of(session, provider), counts=counts)


@bp.get("/courses/<code>")
@requires("read")
def course(code: str):
    """One course: its elements, skills (with the picker, ``?q=`` searches it), job roles, image."""
    session = db()
    provider = current_provider()
    row = views.get_course(session, provider, code)
    query = request.args.get("q", "")[:100]
    mapped = {(link.skill.framework.code, link.skill.code) for link in row.skills}
    return render("console/course.html", course=row, roles=views.course_roles(session, row),
                  picker=views.skill_picker(session, query), q=query, mapped=mapped,
                  image_url=f"{service().base_url}/achievements/{row.slug}/image")


def _course_form(template_values: dict, *, status: int = 200, error: str | None = None, errors=(), code=None):
    session = db()
    return render("console/course_form.html", status=status, values=template_values, error=error,
                  errors=list(errors), code=code, forms=FORMS,
                  picker=views.skill_picker(session) if code is None else None)


@bp.route("/courses/new", methods=["GET", "POST"])
@requires("manage")
def new_course():
    """A new course (it needs a first skill: a course is issued only when it is mapped)."""
    if request.method == "GET":
        return _course_form({})
    try:
        entry = form_course(request.form)
        framework, _sep, skill = request.form.get("skill", "").partition("/")
        entry["skills"] = [{"framework": framework, "skill": skill, "level": _number(request.form, "level", int) or 1}]
        _import_one(entry)
    except IssuerError as exc:
        return _course_form(request.form, status=exc.http_status, error=exc.detail, errors=_problems(exc))
    flash_message(_("Course %(code)s created.", code=entry["code"]))
    return redirect(f"/console/courses/{entry['code']}", 303)


@bp.route("/courses/<code>/edit", methods=["GET", "POST"])
@requires("manage")
def edit_course(code: str):
    """Edit a course's elements (its skills are changed on the course page)."""
    stored = course_document(db(), current_provider(), code)
    if request.method == "GET":
        values = {**stored, "learningOutcomes": "\n".join(stored["learningOutcomes"]),
                  "hours": stored["workload"].get("hours") or "", "ects": stored["workload"].get("ects") or "",
                  "validityDays": (stored.get("validityPeriod") or {}).get("days", "")}
        return _course_form(values, code=code)
    try:
        _import_one(form_course(request.form, stored))
    except IssuerError as exc:
        return _course_form(request.form, status=exc.http_status, error=exc.detail, errors=_problems(exc), code=code)
    flash_message(_("Course %(code)s saved.", code=code))
    return redirect(f"/console/courses/{code}", 303)


@bp.post("/courses/<code>/skills")
@requires("manage")
def change_skills(code: str):
    """Map a skill (``action=add``, ``framework``, ``skill``, ``level``), change its ``level``
    (``action=level``) or remove it (``action=remove``)."""
    entry = course_document(db(), current_provider(), code)
    action = request.form.get("action")
    framework, skill = request.form.get("framework", ""), request.form.get("skill", "")
    level = _number(request.form, "level", int)
    skills = [s for s in entry["skills"] if (s["framework"], s["skill"]) != (framework, skill)]
    if action in ("add", "level"):
        if level is None or not 1 <= level <= 5:
            raise ValidationFailed(_("Choose a level from 1 to 5."))
        skills.append({"framework": framework, "skill": skill, "level": level})
    elif action != "remove":
        raise BadRequest(_("Unknown action."))
    elif len(skills) == len(entry["skills"]):
        raise ValidationFailed(_("That skill is not mapped to this course."))
    if not skills:
        raise ValidationFailed(_("A course keeps at least one skill; map another one before removing this one."))
    entry["skills"] = skills
    _import_one(entry)
    flash_message({"add": _("Skill %(skill)s mapped.", skill=skill), "level": _("Level of %(skill)s changed.", skill=skill),
                   "remove": _("Skill %(skill)s removed.", skill=skill)}[action])
    return redirect(f"/console/courses/{code}", 303)


@bp.post("/courses/<code>/image")
@requires("manage")
def upload_image(code: str):
    """Upload the course's badge image (PNG or SVG, validated as ``PUT /api/v1/courses/<code>/image``)."""
    data, media_type = uploaded_image("image")
    session = write_session()
    provider = current_provider(session)
    row = views.get_course(session, provider, code)
    with committing(session):
        store_course_image(session, row, data, media_type)
    flash_message(_("Badge image uploaded."))
    return redirect(f"/console/courses/{code}", 303)


@bp.post("/courses/<code>/retire")
@requires("manage")
def retire(code: str):
    """Retire a course (``retire=1``; its credentials stay valid, it can no longer be issued) or
    bring it back (``retire=0``)."""
    session = write_session()
    row = views.get_course(session, current_provider(session), code)
    retiring = request.form.get("retire") == "1"
    row.retired_at = service().clock() if retiring else None
    session.commit()
    flash_message(_("Course %(code)s retired: it can no longer be issued.", code=code) if retiring
                  else _("Course %(code)s can be issued again.", code=code))
    return redirect(f"/console/courses/{code}", 303)


@bp.post("/courses/import")
@requires("manage")
def import_catalogue():
    """Import a course-catalogue JSON file (``schemas/course-catalogue.schema.json``), as ``POST /api/v1/courses``."""
    upload = request.files.get("catalogue")
    limit = service().config["MAX_UPLOAD_BYTES"]
    data = upload.read(limit + 1) if upload is not None else b""
    if not data:
        raise ValidationFailed(_("Choose a catalogue file (JSON)."))
    if len(data) > limit:
        raise ValidationFailed(_("The file is too large."))
    try:
        document = strict_loads(data)
    except (JsonError, ValueError) as exc:
        raise ValidationFailed(_("The file is not valid JSON: %(error)s", error=str(exc))) from None
    session = write_session()
    provider = current_provider(session)
    try:
        summary = catalogue.import_courses(session, provider, document)
        session.commit()
    except IssuerError as exc:
        session.rollback()
        session = db()
        counts = {c["code"]: c for c in views.course_counts(session, current_provider())}
        return render("console/courses.html", status=exc.http_status, courses=views.courses_of(session, current_provider()),
                      counts=counts, error=exc.detail, errors=_problems(exc))
    flash_message(_("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.",
                    created=len(summary["created"]), updated=len(summary["updated"]),
                    unchanged=len(summary["unchanged"])))
    return redirect("/console/courses", 303)
