"""Console staff accounts (issuer.store.staff): Argon2id hashes, lockout windows, e-mail
normalisation, role permissions and the sealed single sign-on secret."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from issuer.errors import Conflict, ValidationFailed
from issuer.signing.keystore import SecretBox
from issuer.store import staff
from issuer.store.models import ConsoleSso, Provider

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def provider(service, demo):
    with service.session(write=True) as session:
        row = session.query(Provider).filter_by(slug="bbz-alpenvorland").one()
        staff.create_user(session, row, "Trainer@BBZ.example ", "issuer", password=PASSWORD)
        session.commit()
    return "bbz-alpenvorland"


def test_lockout_starts_after_the_fifth_failure_and_ends_after_its_window(service, provider):
    with service.session(write=True) as session:
        for i in range(staff.MAX_FAILURES - 1):
            with pytest.raises(staff.LoginFailed):
                staff.authenticate(session, "trainer@bbz.example", "wrong", T0 + timedelta(seconds=i))
        assert staff.authenticate(session, "trainer@bbz.example", PASSWORD, T0).failed_logins == 0  # reset
        for i in range(staff.MAX_FAILURES):
            with pytest.raises(staff.LoginFailed):
                staff.authenticate(session, "trainer@bbz.example", "wrong", T0)
        with pytest.raises(staff.AccountLocked):
            staff.authenticate(session, "trainer@bbz.example", PASSWORD, T0 + timedelta(minutes=staff.LOCK_MINUTES - 1))
        user = staff.authenticate(session, "TRAINER@bbz.example", PASSWORD, T0 + timedelta(minutes=staff.LOCK_MINUTES))
        assert user.locked_until is None and user.last_login_at == T0 + timedelta(minutes=staff.LOCK_MINUTES)


def test_disabled_and_password_less_accounts_cannot_log_in(service, provider):
    with service.session(write=True) as session:
        user = staff.authenticate(session, "trainer@bbz.example", PASSWORD, T0)
        staff.set_disabled(user, True, T0)
        with pytest.raises(staff.LoginFailed):
            staff.authenticate(session, "trainer@bbz.example", PASSWORD, T0)
        row = session.query(Provider).filter_by(slug=provider).one()
        staff.create_user(session, row, "sso@bbz.example", "viewer", password=None)
        with pytest.raises(staff.LoginFailed):
            staff.authenticate(session, "sso@bbz.example", "", T0)


def test_addresses_roles_and_duplicates(service, provider):
    with service.session(write=True) as session:
        row = session.query(Provider).filter_by(slug=provider).one()
        for bad in ("no-at-sign", "a@b", " @x.example", "a b@x.example"):
            with pytest.raises(ValidationFailed):
                staff.normalize_email(bad)
        with pytest.raises(ValidationFailed):
            staff.create_user(session, row, "x@bbz.example", "owner", password=PASSWORD)
        with pytest.raises(Conflict):
            staff.create_user(session, row, "TRAINER@bbz.example", "viewer", password=PASSWORD)
    viewer, issuer, admin = (type("U", (), {"role": r})() for r in ("viewer", "issuer", "admin"))
    assert [staff.can(u, "issue") for u in (viewer, issuer, admin)] == [False, True, True]
    assert [staff.can(u, "manage") for u in (viewer, issuer, admin)] == [False, False, True]


def test_sso_secret_is_sealed_and_bound_to_its_provider(service, provider):
    box = SecretBox(service.config["SECRET_KEY"])
    with service.session(write=True) as session:
        row = session.query(Provider).filter_by(slug=provider).one()
        staff.set_sso(session, row, metadata_url="https://idp.example/.well-known/openid-configuration",
                      client_id="hub", client_secret="top-secret-value", box=box)
        session.commit()
        stored = session.query(ConsoleSso).one()
        assert b"top-secret-value" not in bytes(stored.client_secret_sealed)
        assert staff.sso_config(session, provider, box).client_secret == "top-secret-value"
        assert staff.sso_providers(session) == [(provider, row.name)]
        other = session.query(Provider).filter_by(slug="emob-academy").one()
        stored.provider_id = other.id  # moved to another provider: the secret no longer opens
        session.flush()
        with pytest.raises(Exception):
            staff.sso_config(session, "emob-academy", box)
