"""Reading request bodies strictly: media type, size, duplicate keys, nesting depth."""
from __future__ import annotations

from flask import request

from ..errors import BadRequest, PayloadTooLarge, UnsupportedMediaType
from ..intake.strict_json import JsonError, strict_loads

__all__ = ["json_body", "parse_json"]


def parse_json(data: bytes):
    try:
        return strict_loads(data)
    except JsonError as exc:
        raise BadRequest(f"the body is not acceptable JSON: {exc}") from None


def json_body(max_bytes: int | None = None):
    mimetype = request.mimetype
    if mimetype not in ("application/json", "application/ld+json") and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(f"send the body as application/json (got {mimetype or 'no content type'!r})")
    limit = max_bytes or request.max_content_length
    if request.content_length is not None and limit and request.content_length > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    data = request.get_data(cache=True)
    if limit and len(data) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes")
    return parse_json(data)
