"""Demo data: an automotive-transition competence matrix and three training providers, whose
issuers are Open Badges 3.0 ``Profile`` objects (https://www.imsglobal.org/spec/ob/v3p0/) and whose
job roles carry ESCO-style occupation URIs (https://esco.ec.europa.eu/; illustrative, see below).

The matrix (``matrix.json``, framework ``DRIVES-ACM`` "DRIVES Automotive Competence Matrix") is
demonstration data *inspired by* the DRIVES / Automotive Skills Alliance reference matrix of job
roles and skills; it is not the official matrix. Its skills carry no ESCO URIs (the ELM export
would present them as real ESCO skills, and no verified mapping exists); the job roles' ESCO
occupation URIs are illustrative placeholders that follow the ESCO URI pattern. The providers and their domains (``*.example``) are fictitious.

Files (package data, ``issuer/demo/*.json``):

* ``matrix.json`` - a competence-matrix document (``schemas/competence-matrix.schema.json``);
* ``providers.json`` - ``{"framework": "DRIVES-ACM", "providers": [provider, ...]}`` where each
  provider is::

      {"slug": "emob-academy", "name": "Academy of Electromobility",
       "url": "https://emob-academy.example", "suspensionEnabled": true,
       "issuers": [{"slug", "name", "url", "email", "description", "countryCode",
                    "legalIdentifier", "legalIdentifierScheme"}],
       "catalogue": "catalogue-emob-academy.json"}

  ``issuers`` are the OB 3.0 issuer profiles the provider issues as (``countryCode`` is
  ISO 3166-1 alpha-2; ``legalIdentifier`` is an invented VAT or registry number of the
  ``legalIdentifierScheme`` ``vat`` | ``eidas`` | ``registration``, needed by the ELM export); ``catalogue`` names the provider's course-catalogue document
  (``schemas/course-catalogue.schema.json``), whose skill references use the default framework.

:func:`demo_providers` returns the providers with ``catalogue`` replaced by the loaded document.
"""
from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import Any, Callable, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.skills import CATALOGUE_SCHEMA, MATRIX_SCHEMA, validate_document
from issuer.skills.catalogue import import_courses
from issuer.skills.matrix import import_matrix
from issuer.store.models import Provider

__all__ = ["DEMO_FRAMEWORK", "CreateProvider", "demo_matrix", "demo_providers", "load_demo"]

DEMO_FRAMEWORK = "DRIVES-ACM"


class CreateProvider(Protocol):
    def __call__(self, session: Session, slug: str, name: str, url: str | None, suspension_enabled: bool, *,
                 issuers: list[dict]) -> Provider | None: ...


@functools.lru_cache(maxsize=None)
def _read(name: str) -> str:
    return (resources.files("issuer.demo") / name).read_text(encoding="utf-8")


def demo_matrix() -> dict:
    """The demo competence-matrix document (a fresh copy)."""
    return json.loads(_read("matrix.json"))


def demo_providers() -> list[dict]:
    """The demo providers (fresh copies), each with its ``catalogue`` document loaded."""
    providers = json.loads(_read("providers.json"))["providers"]
    for provider in providers:
        provider["catalogue"] = json.loads(_read(provider["catalogue"]))
    return providers


def load_demo(session: Session, *, create_provider: CreateProvider | Callable[..., Any]) -> dict:
    """Import the demo matrix, then each demo provider and its course catalogue. Idempotent.

    ``create_provider(session, slug, name, url, suspension_enabled, issuers=[...])`` creates the
    :class:`~issuer.store.models.Provider` row (plus its issuer profiles and keys, from the
    ``issuers`` dicts described in the module docstring) and returns it (or ``None``, in which case
    the provider is looked up by slug after a flush). It is called only for providers whose slug
    does not exist yet, so a second ``load_demo`` neither calls it nor changes anything.

    All demo documents are schema-validated before anything is written. Nothing is committed.
    Returns ``{"matrix": <import_matrix summary>, "providers": [{"slug", "created": bool,
    "courses": <import_courses summary>}], "changed": bool}``.
    """
    matrix = demo_matrix()
    providers = demo_providers()
    validate_document(MATRIX_SCHEMA, matrix, what="demo competence matrix")
    for provider in providers:
        validate_document(CATALOGUE_SCHEMA, provider["catalogue"], what=f"demo catalogue of {provider['slug']}")

    summary: dict[str, Any] = {"matrix": import_matrix(session, matrix), "providers": []}
    for item in providers:
        provider = session.scalar(select(Provider).where(Provider.slug == item["slug"]))
        created = provider is None
        if provider is None:
            result = create_provider(session, item["slug"], item["name"], item.get("url"),
                                     bool(item.get("suspensionEnabled", False)),
                                     issuers=copy.deepcopy(item.get("issuers", [])))
            if isinstance(result, Provider):
                provider = result
            else:
                session.flush()
                provider = session.scalar(select(Provider).where(Provider.slug == item["slug"]))
            if provider is None:
                raise RuntimeError(f"create_provider did not create provider {item['slug']!r}")
        courses = import_courses(session, provider, item["catalogue"], default_framework=DEMO_FRAMEWORK)
        summary["providers"].append({"slug": item["slug"], "created": created, "courses": courses})
    summary["changed"] = summary["matrix"]["changed"] or any(
        p["created"] or p["courses"]["changed"] for p in summary["providers"])
    return summary
