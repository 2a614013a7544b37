"""Cheap structural limits, checked on the parsed JSON before any JSON-LD work (issue #9 §2).

JSON-LD processing is far more expensive than reading JSON: pyld's node map compares each new
value of a property with every earlier one (quadratic in array length), and RDFC-1.0 can be
exponential (catalog DI-21, DI-22, P-02). So the verifier first walks the parsed value once,
iteratively (no recursion), in time linear in its size, and refuses anything outside these
limits with a report naming the limit. Each limit is a setting (README "Configuration"):

===========================  =========  ===================================================
setting (``ISSUER_...``)     default    what it bounds
===========================  =========  ===================================================
``VERIFY_MAX_BYTES``         1000000    bytes of JSON or JWT text (images: ``MAX_IMAGE``)
``VERIFY_MAX_DEPTH``         32         nesting of objects and arrays
``VERIFY_MAX_ARRAY_ITEMS``   256        items in any one array (e.g. ``evidence``)
``VERIFY_MAX_OBJECT_MEMBERS`` 128       members of any one object
``VERIFY_MAX_STRING_CHARS``  262144     characters in any one string or key (data: URLs)
``VERIFY_MAX_VALUES``        5000       objects, arrays and scalars in the whole credential
``VERIFY_MAX_PROOFS``        4          proofs in a proof set (catalog DI-17; the ``proof``
                                       check refuses more before canonicalizing any)
===========================  =========  ===================================================
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StructureLimits", "LimitExceeded", "check_structure"]


@dataclass(frozen=True)
class StructureLimits:
    """Structural limits of one credential (see the module docstring for the settings)."""

    max_depth: int = 32
    max_array_items: int = 256
    max_object_members: int = 128
    max_string_chars: int = 262_144
    max_values: int = 5_000


class LimitExceeded(ValueError):
    """``value`` exceeds the limit ``setting`` (its ``ISSUER_`` name without the prefix), which is ``limit``."""

    def __init__(self, setting: str, limit: int, found: int, where: str, what: str) -> None:
        self.setting, self.limit, self.found, self.where = setting, limit, found, where
        place = f" at {where}" if where else ""
        super().__init__(f"the credential exceeds the verifier's limit {setting} ({limit} {what}): "
                         f"found {found}{place}")

    @property
    def detail(self) -> dict:
        return {"limit": self.setting, "max": self.limit, "found": self.found, "at": self.where or "/"}


def _pointer(path: tuple) -> str:
    return "".join(f"/{p}" for p in path)


def check_structure(value, limits: StructureLimits) -> None:
    """Raise :class:`LimitExceeded` if ``value`` (parsed JSON) breaks any limit; O(size), no recursion.

    ``where`` in the error is a JSON Pointer to the offending value (keys cut to 64 characters).
    """
    count = 0
    stack: list[tuple[object, int, tuple]] = [(value, 1, ())]
    while stack:
        node, depth, path = stack.pop()
        count += 1
        if count > limits.max_values:
            raise LimitExceeded("VERIFY_MAX_VALUES", limits.max_values, count, "", "values in the credential")
        if depth > limits.max_depth:
            raise LimitExceeded("VERIFY_MAX_DEPTH", limits.max_depth, depth, _pointer(path), "levels of nesting")
        if isinstance(node, dict):
            if len(node) > limits.max_object_members:
                raise LimitExceeded("VERIFY_MAX_OBJECT_MEMBERS", limits.max_object_members, len(node),
                                    _pointer(path), "members per object")
            for key, item in node.items():
                key = str(key)
                if len(key) > limits.max_string_chars:
                    raise LimitExceeded("VERIFY_MAX_STRING_CHARS", limits.max_string_chars, len(key),
                                        _pointer(path), "characters per string")
                stack.append((item, depth + 1, path + (key[:64],)))
        elif isinstance(node, list):
            if len(node) > limits.max_array_items:
                raise LimitExceeded("VERIFY_MAX_ARRAY_ITEMS", limits.max_array_items, len(node),
                                    _pointer(path), "items per array")
            stack.extend((item, depth + 1, path + (i,)) for i, item in enumerate(node))
        elif isinstance(node, str) and len(node) > limits.max_string_chars:
            raise LimitExceeded("VERIFY_MAX_STRING_CHARS", limits.max_string_chars, len(node),
                                _pointer(path), "characters per string")
