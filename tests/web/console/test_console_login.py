"""Console accounts and log-in (issue #14 §1, Accounts): Argon2id hashes, the demo admin's login
saved at first start, CSRF on the form, secure session cookies, rate limit and lockout."""
from __future__ import annotations

from pathlib import Path

from issuer.demo.setup import CONSOLE_LOGIN_FILE
from issuer.store import staff
from issuer.store.models import ConsoleUser

from .conftest import Console, csrf_of, make_user


def test_first_start_saves_the_demo_admin_login(service, admin_login):
    email, password = admin_login
    line = (Path(service.config["INSTANCE_PATH"]) / CONSOLE_LOGIN_FILE).read_text().strip()
    assert line == f"Console login: {email} / {password}"
    assert (Path(service.config["INSTANCE_PATH"]) / CONSOLE_LOGIN_FILE).stat().st_mode & 0o077 == 0
    with service.session() as session:
        user = session.query(ConsoleUser).filter_by(email=email).one()
        assert user.role == "admin" and user.provider.slug == "emob-academy"
        assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash


def test_login_form_posts_email_password_and_csrf_token(client, demo):
    page = client.get("/console/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in ('name="email"', 'name="password"', 'type="hidden" name="csrf_token"'):
        assert name in html
    assert 'action="/console/login"' in html


def test_login_sets_a_secure_session_cookie_and_opens_the_dashboard(app, admin_login):
    c = Console(app.test_client())
    response = c.login(*admin_login)
    assert response.status_code == 303 and response.headers["Location"] == "/console/"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("console_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test origin is http://localhost
    page = c.get("/console/")
    assert page.status_code == 200 and "Dashboard" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_session_cookie_is_secure_on_an_https_origin(tmp_path, database_url):
    from issuer import create_app
    from issuer.service import build_service
    from tests.conftest import make_config
    svc = build_service(make_config(tmp_path, database_url, BASE_URL="https://issuer.example"))
    try:
        assert create_app(service=svc).config["SESSION_COOKIE_SECURE"] is True
    finally:
        svc.close()


def test_pages_need_a_login(client, demo):
    for path in ("/console/", "/console/credentials", "/console/courses", "/console/settings", "/console/issue"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/console/login?next=")


def test_login_without_csrf_token_is_refused(client, admin_login):
    response = client.post("/console/login", data={"email": admin_login[0], "password": admin_login[1]})
    assert response.status_code == 400
    assert "console_session" not in response.headers.get("Set-Cookie", "") or "csrf" in \
        response.headers.get("Set-Cookie", "")
    assert client.get("/console/").status_code == 303  # not logged in


def test_post_without_csrf_token_is_refused_when_logged_in(console):
    response = console.post("/console/logout", token=False)
    assert response.status_code == 400
    assert console.get("/console/").status_code == 200  # still logged in


def test_wrong_password_fails_without_saying_which_part(app, admin_login):
    c = Console(app.test_client())
    wrong = c.login(admin_login[0], "not the password")
    unknown = c.login("nobody@example.org", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "The e-mail address or the password is wrong." in response.get_data(as_text=True)
    assert c.get("/console/").status_code == 303


def test_account_locks_after_repeated_failures(app, service, admin_login):
    c = Console(app.test_client())
    for _ in range(staff.MAX_FAILURES):
        c.login(admin_login[0], "wrong password")
    locked = c.login(*admin_login)  # even the right password
    assert locked.status_code == 423 and "locked" in locked.get_data(as_text=True)
    with service.session() as session:
        assert session.query(ConsoleUser).filter_by(email=admin_login[0]).one().locked_until is not None


def test_login_attempts_are_rate_limited_per_address(tmp_path, database_url):
    from issuer import create_app
    from issuer.demo.setup import demo_console_login, initialize
    from issuer.service import build_service
    from tests.conftest import make_config
    svc = build_service(make_config(tmp_path, database_url, RATE_LIMIT_CONSOLE_LOGIN="3 per minute"))
    try:
        initialize(svc, load_demo=True)
        c = Console(create_app(service=svc).test_client())
        codes = [c.login(f"user{i}@example.org", "wrong password").status_code for i in range(4)]
        assert codes == [200, 200, 200, 429]
        assert c.login(*demo_console_login(svc)).status_code == 429  # the right one too, until the window ends
    finally:
        svc.close()


def test_logout_ends_the_session(console):
    assert console.post("/console/logout").status_code == 303
    assert console.get("/console/").status_code == 303


def test_password_change_ends_other_sessions(console, service, admin_login):
    with service.session(write=True) as session:
        user = session.query(ConsoleUser).filter_by(email=admin_login[0]).one()
        staff.set_password(user, "a completely new password")
        session.commit()
    assert console.get("/console/").status_code == 303


def test_next_parameter_never_leaves_the_console(app, admin_login):
    client = app.test_client()
    page = client.get("/console/login")
    response = client.post("/console/login", data={"email": admin_login[0], "password": admin_login[1],
                                                   "csrf_token": csrf_of(page), "next": "https://evil.example/"})
    assert response.headers["Location"] == "/console/"


def test_viewer_cannot_issue_or_manage(login_as):
    viewer = login_as("emob-academy", "viewer")
    assert viewer.get("/console/credentials").status_code == 200
    assert viewer.get("/console/issue").status_code == 403
    assert viewer.get("/console/settings").status_code == 403
    assert viewer.post("/console/courses/HV-2S/retire", {"retire": "1"}).status_code == 403


def test_passwords_are_argon2id_and_short_ones_refused(service, demo):
    import pytest
    from issuer.errors import ValidationFailed
    with service.session(write=True) as session:
        from issuer.store.models import Provider
        provider = session.query(Provider).filter_by(slug="emob-academy").one()
        with pytest.raises(ValidationFailed):
            staff.create_user(session, provider, "short@example.org", "viewer", password="short")
        user = staff.create_user(session, provider, "Long@Example.org ", "viewer", password="long enough password")
        assert user.email == "long@example.org" and user.password_hash.startswith("$argon2id$")


def test_cli_creates_an_account(tmp_path, monkeypatch, database_url):
    from click.testing import CliRunner
    from issuer.cli import main
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ISSUER_DATABASE_URL", database_url)
    monkeypatch.setenv("ISSUER_SECRET_KEY", "test-master-key-" + "k" * 32)
    monkeypatch.setenv("ISSUER_VERIFY_REMOTE_DID_WEB", "false")
    runner = CliRunner()
    first = runner.invoke(main, ["init"])
    assert first.exit_code == 0, first.output
    assert "Console login: admin@emob-academy.example / " in first.output
    made = runner.invoke(main, ["console-user", "create", "emob-academy", "Staff@Example.org", "--role", "issuer"])
    assert made.exit_code == 0, made.output
    assert "Console login: staff@example.org / " in made.output
    listed = runner.invoke(main, ["console-user", "list", "emob-academy"])
    assert "staff@example.org\tissuer\tactive" in listed.output
    again = runner.invoke(main, ["console-user", "create", "emob-academy", "staff@example.org"])
    assert again.exit_code == 1 and "already has an account" in again.output
    second = runner.invoke(main, ["init"])
    assert "Console login: in " in second.output and "/ " not in second.output.split("Console login:")[1].split("\n")[0]


def test_console_speaks_german(console):
    page = console.get("/console/?lang=de").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert "Übersicht" in page and "Nachweise pro Monat" in page and "Abmelden" in page
    assert "Administration" in page  # the role, translated
