"""Checks on the credential document itself: ``contexts``, ``data_model``, ``official_schema``, ``safe_mode``.

* Contexts: VC Data Model 2.0 §4.3 (``@context`` order), OB 3.0 Appendix A.2 ("MUST be serialized
  with both JSON-LD contexts", order checked), VC Data Integrity 1.0 §2.4 "Contexts and Vocabularies"
  / §4.5 (only known contexts; never fetched). Inline context objects are how terms get remapped
  (catalog DI-06, DI-07): the only one accepted is the service's own EU micro-credential context,
  compared member for member (``issuer.badges.contexts.INLINE_CONTEXTS``).
* Data model: OB 3.0 Appendix B (AchievementCredential, AchievementSubject, EndorsementCredential),
  VC Data Model 2.0 §4; the project schema ``schemas/ob3-achievementcredential.schema.json``.
* Safe mode: VC Data Integrity 1.0 §2.3 "Securing Data Losslessly" (DATA_LOSS_DETECTION_ERROR).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import jsonschema_rs
from jsonschema import FormatChecker
from jsonschema.validators import validator_for
from pyld import jsonld
from referencing import Registry, Resource

from ..signing.jsonld.canonize import CanonizationError, canonize
from ..badges.contexts import (BUNDLED_CONTEXTS, OB_CONTEXTS, VC_V1, VC_V2, ContextNotAllowed,
                               is_known_inline_context)
from ..signing.jsonld.safemode import DataLossError, is_absolute_iri
from ..intake.schemas import json_pointer, load_schema
from ..intake.schemas import problems as schema_problems
from .official_schemas import ACHIEVEMENT_CREDENTIAL, ENDORSEMENT_CREDENTIAL, MANIFEST, bundled_schema
from .report import CONTEXTS, DATA_MODEL, OFFICIAL_SCHEMA, SAFE_MODE, CheckResult
from .state import (OB_TYPES, VerifyState, failed, issuer_id, parse_datetime, passed, skipped, type_list,
                    warning)

__all__ = ["check_contexts", "check_data_model", "check_official_schema", "check_safe_mode",
           "PROJECT_SCHEMA", "OFFICIAL_SCHEMA_FILES"]

PROJECT_SCHEMA = "ob3-achievementcredential.schema.json"
OFFICIAL_SCHEMA_FILES = {
    "EndorsementCredential": ENDORSEMENT_CREDENTIAL,
    "default": ACHIEVEMENT_CREDENTIAL,
}
# OB 3.0 §A.2.1: a compacted credential MAY render these as single values, which the published
# schemas (unlike their unpublished "compaction tolerant" JSON-LD variants) require to be arrays
COMPACTABLE = frozenset({"type", "credentialSchema", "proof", "termsOfUse"})
_MAX_COMPACTED = 64
MAX_PROBLEMS = 20


# --- contexts ------------------------------------------------------------------------------------


def _known_contexts(loader) -> frozenset:
    known = getattr(loader, "known", None)
    return frozenset(known) if known is not None else frozenset(BUNDLED_CONTEXTS)


def _nested_contexts(node, path: str = "", out: list | None = None) -> list[tuple[str, object]]:
    """Every ``@context`` value below the top level, with its path (depth is already capped)."""
    out = [] if out is None else out
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context" and path:
                out.append((path, value))
            _nested_contexts(value, f"{path}/{key}", out)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _nested_contexts(item, f"{path}[{i}]", out)
    return out


def _context_item_problems(items: list, where: str, known: frozenset) -> list[str]:
    problems = []
    for i, item in enumerate(items):
        if isinstance(item, dict):
            if not is_known_inline_context(item):
                problems.append(f"{where}[{i}] is an inline context object (INVALID_CONTEXT) that is not "
                                "the service's EU micro-credential context: not accepted")
        elif not isinstance(item, str):
            problems.append(f"{where}[{i}] is not a context URL")
        elif item not in known:
            problems.append(f"{where}[{i}] {item[:200]!r} is not a known context (it is never fetched)")
    return problems


def _order_problems(state: VerifyState, items: list) -> list[str]:
    first = items[0]
    problems = []
    if first not in (VC_V2, VC_V1):
        problems.append(f"the first @context must be {VC_V2} (or {VC_V1} for VC 1.1)")
    if VC_V1 in items and VC_V2 in items:
        problems.append("VC 1.1 and VC 2.0 base contexts are mixed")
    if state.is_jwt and (first == VC_V1) != state.parsed.vc_claim:
        problems.append("a VC-JWT carries VC 1.1 credentials in a vc claim and VC 2.0 credentials as the payload")
    wants_ob = state.kind == "ob" and OB_TYPES & set(_strings(state.credential.get("type")))
    if wants_ob and (len(items) < 2 or items[1] not in OB_CONTEXTS):
        problems.append("the second @context must be an Open Badges 3.0 context")
    return problems


def check_contexts(state: VerifyState) -> CheckResult:
    """``@context`` is present, ordered, and lists only bundled context URLs (no inline contexts)."""
    context = state.credential.get("@context")
    if context is None:
        return failed(CONTEXTS, "the credential has no @context", "PARSING_ERROR")
    items = context if isinstance(context, list) else [context]
    if not items:
        return failed(CONTEXTS, "@context is empty", "PARSING_ERROR")
    known = _known_contexts(state.loader)
    problems = _order_problems(state, items) + _context_item_problems(items, "@context", known)
    for path, value in _nested_contexts(state.credential):
        nested = value if isinstance(value, list) else [value]
        problems += _context_item_problems(nested, f"{path}/@context", known)
    if problems:
        return failed(CONTEXTS, problems[0], "PARSING_ERROR", {"problems": problems[:MAX_PROBLEMS]})
    return passed(CONTEXTS, "the contexts are in the expected order and all are known",
                  {"contexts": [str(c) for c in items]})


# --- data model ----------------------------------------------------------------------------------


def _strings(value) -> list[str]:
    return [t for t in type_list(value) if isinstance(t, str)]


def _check_dates(credential: dict, fields: tuple[str, ...], required: str | None, problems: list[str]) -> None:
    if required is not None and required not in credential:
        problems.append(f"{required} is required")
    for name in fields:
        if name in credential and parse_datetime(credential[name]) is None:
            problems.append(f"{name} is not a date-time with a time zone")


def _check_envelope(credential: dict, problems: list[str], v1: bool, *, require_valid_from: bool = True) -> None:
    if not is_absolute_iri(credential.get("id")):
        problems.append("id is required and must be an absolute URI")
    issuer = issuer_id(credential)
    if not is_absolute_iri(issuer):
        problems.append("issuer must be a URI or an object with an absolute URI id")
    if v1:
        _check_dates(credential, ("issuanceDate", "expirationDate"), "issuanceDate", problems)
    else:
        _check_dates(credential, ("validFrom", "validUntil"), "validFrom" if require_valid_from else None, problems)
    proof = credential.get("proof", {})
    if not (isinstance(proof, dict) or (isinstance(proof, list) and all(isinstance(p, dict) for p in proof))):
        problems.append("proof must be an object or an array of objects")
    _check_status_shape(credential.get("credentialStatus"), problems)


def _check_status_shape(status, problems: list[str]) -> None:
    if status is None:
        return
    entries = status if isinstance(status, list) else [status]
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            problems.append(f"credentialStatus[{i}] must be an object with a type")
        elif entry["type"] == "BitstringStatusListEntry":
            missing = [k for k in ("statusPurpose", "statusListIndex", "statusListCredential") if k not in entry]
            if missing:
                problems.append(f"credentialStatus[{i}] lacks {', '.join(missing)}")


def _check_achievement_subject(subject: dict, types: set, problems: list[str]) -> None:
    if "AchievementSubject" not in _strings(subject.get("type")):
        problems.append("credentialSubject.type must include AchievementSubject")
    if not isinstance(subject.get("achievement"), dict):
        problems.append("credentialSubject.achievement is required")
    identifiers = subject.get("identifier")
    if "id" not in subject and not (isinstance(identifiers, list) and identifiers):
        problems.append("credentialSubject must have an id or at least one identifier")
    if "id" in subject and not is_absolute_iri(subject["id"]):
        problems.append("credentialSubject.id must be an absolute URI")


def _check_subject(credential: dict, types: set, problems: list[str]) -> None:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict):
        problems.append("credentialSubject must be an object")
    elif "EndorsementCredential" in types:
        if not is_absolute_iri(subject.get("id")):
            problems.append("an endorsement's credentialSubject.id (the endorsed entity) is required")
    else:
        _check_achievement_subject(subject, types, problems)


def _ob_rules(state: VerifyState) -> list[str]:
    credential = state.credential
    types = set(_strings(credential.get("type")))
    problems = []
    if "VerifiableCredential" not in types:
        problems.append("type must include VerifiableCredential")
    if not types & OB_TYPES:
        problems.append("type must include AchievementCredential or OpenBadgeCredential (or EndorsementCredential)")
    _check_envelope(credential, problems, state.vc_v1)
    _check_subject(credential, types, problems)
    return problems


def _status_list_rules(state: VerifyState) -> list[str]:
    credential = state.credential
    problems = []
    if "BitstringStatusListCredential" not in _strings(credential.get("type")):
        problems.append("type must include BitstringStatusListCredential")
    # VC DM 2.0 §4.9: validFrom is optional; only Open Badges (and VC 1.1's issuanceDate) require it
    _check_envelope(credential, problems, state.vc_v1, require_valid_from=False)
    subject = credential.get("credentialSubject")
    if not isinstance(subject, dict) or "BitstringStatusList" not in _strings(subject.get("type")):
        problems.append("credentialSubject must be a BitstringStatusList")
    elif not isinstance(subject.get("encodedList"), str):
        problems.append("credentialSubject.encodedList is required")
    return problems


@dataclass(frozen=True)
class SchemaValidators:
    """A JSON Schema compiled twice: ``fast`` (jsonschema-rs, about 100x faster) says whether an
    instance is valid; ``full`` (``jsonschema``, offline registry) runs only to describe problems."""

    full: object
    fast: object


# jsonschema checks "date-time" (and "time") only when the optional rfc3339-validator package is
# installed (other tools, e.g. openapi-spec-validator, pull it in): an installed package must not
# change a verdict. Times are read by the validity and proof checks, which take a value without
# offset as UTC (W3C DI test suite 'noOffsetCreated'), so the schema check leaves them to those.
_FORMATS = tuple(name for name in FormatChecker.checkers if name not in ("date-time", "time"))


def compile_schema(schema: dict) -> SchemaValidators:
    """Both validators for ``schema`` (a JSON Schema dict); references resolve only inside it.

    Raises ``jsonschema.exceptions.SchemaError`` for an invalid schema.
    """
    cls = validator_for(schema)
    cls.check_schema(schema)
    registry = Registry().with_resource(schema.get("$id", "urn:schema"), Resource.from_contents(schema))
    return SchemaValidators(cls(schema, registry=registry, format_checker=FormatChecker(formats=_FORMATS)),
                            jsonschema_rs.validator_for(schema, validate_formats=True))


@lru_cache(maxsize=8)
def _packaged(name: str | None) -> SchemaValidators:
    """The project schema (``None``) or a bundled official schema, compiled once."""
    return compile_schema(load_schema(PROJECT_SCHEMA) if name is None else bundled_schema(name))


def _schema_problems(validator, instance, fast=None) -> list[str]:
    if fast is not None and fast.is_valid(instance):
        return []
    return [f"{p['path'] or '/'}: {p['message'][:300]}" for p in schema_problems(validator, instance)[:MAX_PROBLEMS]]


def check_data_model(state: VerifyState) -> CheckResult:
    """VC / OB data model rules, then the project JSON Schema (VC 2.0 credentials)."""
    if state.kind == "status_list":
        problems = _status_list_rules(state)
    else:
        problems = _ob_rules(state)
        if not state.vc_v1:
            project = _packaged(None)
            problems += [f"schema {p}" for p in _schema_problems(project.full, state.credential, project.fast)]
    if problems:
        return failed(DATA_MODEL, problems[0], "MALFORMED_VALUE_ERROR", {"problems": problems[:MAX_PROBLEMS]})
    version = "VC 1.1" if state.vc_v1 else "VC 2.0"
    return passed(DATA_MODEL, f"the credential follows the {version} / Open Badges 3.0 data model")


def check_official_schema(state: VerifyState,
                          official_schemas: Callable[[str], SchemaValidators | None] | None) -> CheckResult:
    """The official 1EdTech JSON Schema: the bundled copy, or the one ``official_schemas(file_name)``
    gives when configured (:func:`issuer.verify.runtime.schema_folder`; ``None`` for a missing file)."""
    if state.vc_v1:
        return skipped(OFFICIAL_SCHEMA, "the official schema describes VC 2.0 credentials; this is VC 1.1")
    types = set(_strings(state.credential.get("type")))
    name = OFFICIAL_SCHEMA_FILES["EndorsementCredential" if "EndorsementCredential" in types else "default"]
    if official_schemas is None:
        schema, detail = _packaged(name), {"schema": name, "source": "bundled", "url": MANIFEST[name]["url"]}
    else:
        schema, detail = official_schemas(name), {"schema": name, "source": "configured folder"}
        if schema is None:
            return skipped(OFFICIAL_SCHEMA, f"{name} is not in the configured schema folder")
    instance, compacted = _compaction_tolerant(schema, state.credential)
    problems = _schema_problems(schema.full, instance, schema.fast)
    if compacted:
        detail["readAsArrays"] = compacted
    if problems and _only_a_status_array(instance, schema):
        return warning(OFFICIAL_SCHEMA, f"valid against {name} except that credentialStatus is an array of "
                       f"{len(instance['credentialStatus'])} entries (VC 2.0 allows a set; the OB "
                       "schema allows one object)", {**detail, "problems": problems})
    if problems:
        return failed(OFFICIAL_SCHEMA, problems[0], "MALFORMED_VALUE_ERROR", {**detail, "problems": problems})
    note = (f" (reading {', '.join(compacted[:3])} as one-item arrays, as JSON-LD compaction may render them: "
            "OB 3.0 §A.2.1)") if compacted else ""
    return passed(OFFICIAL_SCHEMA, f"the credential is valid against {name}{note}", detail)


def _array_wanted(error) -> list:
    """Paths where the schema wants an array and a COMPACTABLE property holds a single value."""
    found, stack = [], [error]
    while stack:
        node = stack.pop()
        stack.extend(node.context or ())
        path = list(node.absolute_path)
        wanted = node.validator_value if isinstance(node.validator_value, list) else [node.validator_value]
        if (node.validator == "type" and "array" in wanted and path and path[-1] in COMPACTABLE
                and not isinstance(node.instance, list)):
            found.append(path)
    return found


def _compaction_tolerant(schema: SchemaValidators, credential: dict) -> tuple[dict, list[str]]:
    """``credential`` with single values of :data:`COMPACTABLE` properties wrapped in arrays where the
    schema wants arrays (what the compaction-tolerant schema variant would accept), and the JSON
    pointers of the values so read. A credential the schema accepts as it is is returned unchanged."""
    if schema.fast.is_valid(credential):
        return credential, []
    instance, compacted = copy.deepcopy(credential), []
    for _ in range(4):  # wrapping one value can expose another (e.g. a nested type), rarely more
        paths = [p for e in schema.full.iter_errors(instance) for p in _array_wanted(e)]
        paths = [p for p in paths if json_pointer(p) not in compacted][:_MAX_COMPACTED]
        if not paths:
            break
        for path in paths:
            parent = instance
            for step in path[:-1]:
                parent = parent[step]
            if not isinstance(parent[path[-1]], list):
                parent[path[-1]] = [parent[path[-1]]]
                compacted.append(json_pointer(path))
    return instance, compacted


def _only_a_status_array(credential: dict, schema: SchemaValidators) -> bool:
    """True when ``credentialStatus`` is an array of entries and the credential passes the schema with
    each entry alone in its place: the array is its only deviation (revocation + suspension entries,
    ``docs/status.md``). Such a credential verifies, with a ``warning`` instead of a failure."""
    entries = credential.get("credentialStatus")
    if not isinstance(entries, list) or not 2 <= len(entries) <= 8:
        return False
    fast = schema.fast
    return all(fast.is_valid({**credential, "credentialStatus": entry}) for entry in entries)


# --- safe mode -----------------------------------------------------------------------------------


def check_safe_mode(state: VerifyState) -> CheckResult:
    """Canonicalize the credential (without proofs); any term that would be dropped fails."""
    unsecured = {k: v for k, v in state.credential.items() if k != "proof"}
    try:
        state.transformed = canonize(unsecured, state.loader)
    except DataLossError as exc:
        return failed(SAFE_MODE, f"JSON-LD processing would drop data: {exc.problems[0]}",
                      "DATA_LOSS_DETECTION_ERROR", {"dropped": exc.problems[:MAX_PROBLEMS]})
    except ContextNotAllowed as exc:
        return failed(SAFE_MODE, str(exc), "PARSING_ERROR")
    except CanonizationError as exc:
        if exc.limit:
            return failed(SAFE_MODE, f"JSON-LD processing stopped at the verifier's time limit {exc.limit}: "
                                     f"{_short(exc)}",
                          "PARSING_ERROR", {"limit": exc.limit})
        return failed(SAFE_MODE, f"the credential is not valid JSON-LD: {_short(exc)}", "PARSING_ERROR")
    except (jsonld.JsonLdError, RecursionError) as exc:
        return failed(SAFE_MODE, f"the credential is not valid JSON-LD: {_short(exc)}", "PARSING_ERROR")
    return passed(SAFE_MODE, "every property and type is defined by the credential's contexts")


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]
