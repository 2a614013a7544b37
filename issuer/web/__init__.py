"""Pages for people (learners, employers and the providers' staff), in six languages (``i18n``).
Registered by ``init_app``.

They show Open Badges 3.0 credentials (https://www.imsglobal.org/spec/ob/v3p0/) and the EU
micro-credential elements (Council Recommendation 2022/C 243/02,
https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32022H0627(02)).

* ``pages``: the learner's credential page, ``/credentials/<id>/verify`` and the coverage view;
* ``claim``: the learner's private claim page for wallet pickup and the VCALM interaction URL;
* ``verify_form``: ``/verify``, to check any credential, JWT, baked image or URL;
* ``catalogue``: home, issuers, achievements, frameworks, job roles and skills;
* ``console``: the provider console at ``/console`` (staff accounts, catalogue, issuing, settings);
* ``hub``: the catalogue search and the learner's gap report (issue #14);
* ``render`` (security headers, the friendly 404) and ``i18n`` (languages) serve them all.
"""
from __future__ import annotations

from . import catalogue, claim, console, hub, i18n, pages, render, verify_form

__all__ = ["init_app"]


def init_app(app) -> None:
    app.register_blueprint(pages.bp)
    app.register_blueprint(verify_form.bp)
    app.register_blueprint(catalogue.bp)
    app.register_blueprint(claim.bp)
    app.register_blueprint(hub.bp)
    i18n.init_app(app)
    render.init_app(app)
    console.init_app(app)
    app.extensions["issuer_pages"] = {"credential": pages.credential_page, "coverage": pages.coverage_page}
