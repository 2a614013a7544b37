"""Console fixtures: the demo data, the demo admin's saved login, and a test client that logs in
through the form (with the page's CSRF token) as a person would."""
from __future__ import annotations

import re

import pytest

from issuer.demo.setup import demo_console_login
from issuer.store import staff
from issuer.store.models import Provider

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(response) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


class Console:
    """A browser-like test client of the console."""

    def __init__(self, client):
        self.client = client
        self.token = None

    def login(self, email: str, password: str, *, follow: bool = False):
        page = self.client.get("/console/login")
        response = self.client.post("/console/login", data={"email": email, "password": password,
                                                             "csrf_token": csrf_of(page)},
                                    follow_redirects=follow)
        return response

    def get(self, path: str, **kw):
        response = self.client.get(path, **kw)
        match = CSRF.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response

    def post(self, path: str, data: dict | None = None, *, token: bool = True, **kw):
        """POST a form with the session's CSRF token (fetched from the dashboard when needed)."""
        if token and self.token is None:
            self.get("/console/")
        body = dict(data or {})
        if token:
            body.setdefault("csrf_token", self.token)
        return self.client.post(path, data=body, **kw)


@pytest.fixture
def admin_login(demo, service):
    """The demo admin's ``(email, password)`` as saved in the instance folder."""
    login = demo_console_login(service)
    assert login is not None
    return login


@pytest.fixture
def console(app, admin_login):
    """A console client logged in as the demo provider's (emob-academy) administrator."""
    c = Console(app.test_client())
    response = c.login(*admin_login)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return c


def make_user(service, provider_slug: str, email: str, role: str, password: str = "correct horse battery") -> tuple[str, str]:
    """A console account of ``provider_slug``; returns ``(email, password)``."""
    with service.session(write=True) as session:
        provider = session.query(Provider).filter_by(slug=provider_slug).one()
        staff.create_user(session, provider, email, role, password=password)
        session.commit()
    return email, password


@pytest.fixture
def login_as(app, service, demo):
    """``login_as(provider_slug, role)`` → a logged-in :class:`Console` for a new account."""
    counter = iter(range(1000))

    def make(provider_slug: str, role: str = "admin") -> Console:
        email, password = make_user(service, provider_slug, f"{role}{next(counter)}@{provider_slug}.example", role)
        c = Console(app.test_client())
        assert c.login(email, password).status_code == 303
        return c
    return make
