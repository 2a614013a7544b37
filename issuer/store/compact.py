"""Compact storage of a credential's signed forms (issue #12 §5 Storage).

A credential is stored as ONE zstd frame (RFC 8878) compressed with its course's dictionary, holding
both signed forms byte for byte:

* the JSON-LD form (the pretty-printed signed document), verbatim;
* the VC-JWT as its header and signature segments, verbatim, and its payload as the few bytes that
  differ from the document: an OB 3.0 VC-JWT payload (§8.2) is the credential without its proof,
  serialized compactly, followed by the registered claims (``iss``, ``jti``, ``nbf``, ``sub``,
  ``exp``). So the payload is stored as the text appended after the compact credential (its
  "tail"), and rebuilt as ``compact(document without proof)[:-1] + tail``. :func:`pack` checks the
  rebuilt payload against the signed one and otherwise stores the payload segment whole.

Container (before compression), format 1::

    0x01 document-utf8 0x00 jwt-header-segment 0x00 jwt-signature-segment 0x00 mode rest

``mode`` is ``T`` (``rest`` = payload tail, UTF-8), ``P`` (``rest`` = the payload segment as
signed) or ``J`` (``rest`` = the whole JWT text, for a token that is not three segments). JSON text
never holds a raw NUL and base64url segments are ASCII, so NUL separates unambiguously.

Dictionaries (:class:`~issuer.store.models.CredentialDictionary`) are zstd raw-content dictionaries:
the container of a course's first stored credential. Most of a credential is its course's
``Achievement`` and the issuer profile, so the frame keeps little more than the learner, ids,
dates, status entry and the two signatures. Dictionaries are never changed once written, and their
ids are random 62-bit numbers, so a process may cache them by id for good.
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
from collections import OrderedDict

import zstandard
from sqlalchemy import text

__all__ = ["FORMAT", "pack", "unpack", "compress", "decompress", "encode", "decode", "dictionary_bytes",
           "cached_dictionary", "new_dictionary_id", "forget_course_dictionaries", "LEVEL"]

FORMAT = b"\x01"
LEVEL = 9  # zstd level: with the dictionary, higher levels gain a few bytes at many times the CPU
_SEP = b"\x00"
_MAX_OUTPUT = 16 * 1024 * 1024  # a stored credential never decompresses to more (issuance caps bodies at 1 MB)


def _compact_json(document: dict) -> bytes:
    """The VC-JWT payload serialization of vc_jose/PyJWT: compact separators, UTF-8 (no \\u escapes)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _b64url_decode(segment: bytes) -> bytes | None:
    try:
        raw = base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))
    except (ValueError, TypeError):
        return None
    return raw if base64.urlsafe_b64encode(raw).rstrip(b"=") == segment else None


def _unsecured(document_text: str) -> dict | None:
    try:
        document = json.loads(document_text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    return {k: v for k, v in document.items() if k != "proof"}


def pack(document: str, jwt: str) -> bytes:
    """The uncompressed container of the two forms (format 1, see the module docstring)."""
    doc = document.encode("utf-8")
    token = jwt.encode("utf-8")
    if _SEP in doc:
        raise ValueError("a stored JSON document cannot contain NUL")
    parts = token.split(b".")
    if len(parts) != 3 or _SEP in token:
        return FORMAT + doc + _SEP + _SEP + _SEP + b"J" + token
    header, payload, signature = parts
    decoded = _b64url_decode(payload)
    unsecured = _unsecured(document) if decoded is not None else None
    if unsecured is not None:
        compact = _compact_json(unsecured)
        if compact.endswith(b"}") and decoded.startswith(compact[:-1]):
            tail = decoded[len(compact) - 1:]
            if base64.urlsafe_b64encode(compact[:-1] + tail).rstrip(b"=") == payload:
                return FORMAT + doc + _SEP + header + _SEP + signature + _SEP + b"T" + tail
    return FORMAT + doc + _SEP + header + _SEP + signature + _SEP + b"P" + payload


def unpack(container: bytes) -> tuple[str, str]:
    """``(document, jwt)`` from a container made by :func:`pack`; raises ValueError if malformed."""
    if container[:1] != FORMAT:
        raise ValueError("unknown credential container format")
    doc, header, signature, rest = container[1:].split(_SEP, 3)
    mode, rest = rest[:1], rest[1:]
    document = doc.decode("utf-8")
    if mode == b"J":
        return document, rest.decode("ascii")
    if mode == b"P":
        payload = rest
    elif mode == b"T":
        unsecured = _unsecured(document)
        if unsecured is None:
            raise ValueError("the stored document is not a JSON object")
        payload = base64.urlsafe_b64encode(_compact_json(unsecured)[:-1] + rest).rstrip(b"=")
    else:
        raise ValueError("unknown JWT storage mode")
    return document, (header + b"." + payload + b"." + signature).decode("ascii")


_local = threading.local()


def _codec(kind: str, dictionary_id: int | None, data: bytes | None):
    """A per-thread (compressor or decompressor) for a dictionary (zstd contexts are not thread-safe)."""
    cache = getattr(_local, kind, None)
    if cache is None:
        cache = _local.__dict__.setdefault(kind, OrderedDict())
    codec = cache.get(dictionary_id)
    if codec is None:
        zdict = zstandard.ZstdCompressionDict(data, dict_type=zstandard.DICT_TYPE_RAWCONTENT) if data else None
        if kind == "c":
            codec = zstandard.ZstdCompressor(level=LEVEL, dict_data=zdict, write_content_size=True,
                                             write_checksum=False, write_dict_id=False)
        else:
            codec = zstandard.ZstdDecompressor(dict_data=zdict)
        cache[dictionary_id] = codec
        while len(cache) > 64:
            cache.popitem(last=False)
    else:
        cache.move_to_end(dictionary_id)
    return codec


def compress(container: bytes, dictionary_id: int | None, dictionary: bytes | None) -> bytes:
    """One zstd frame of ``container`` (with the raw-content ``dictionary`` when given)."""
    return _codec("c", dictionary_id, dictionary).compress(container)


def decompress(frame: bytes, dictionary_id: int | None, dictionary: bytes | None) -> bytes:
    """The container in ``frame`` (at most 16 MiB; raises ``zstandard.ZstdError`` if corrupt)."""
    return _codec("d", dictionary_id, dictionary).decompress(frame, max_output_size=_MAX_OUTPUT)


def new_dictionary_id() -> int:
    """A random positive 62-bit id: unique across databases, so processes may cache by it."""
    return secrets.randbits(62) | 1


_DICTIONARIES: OrderedDict = OrderedDict()  # dictionary id -> bytes (immutable rows)
_BY_COURSE: OrderedDict = OrderedDict()     # (engine id, url, course id) -> dictionary id
_LOCK = threading.Lock()


def _remember(dictionary_id: int, data: bytes) -> None:
    with _LOCK:
        _DICTIONARIES[dictionary_id] = data
        while len(_DICTIONARIES) > 512:
            _DICTIONARIES.popitem(last=False)


def cached_dictionary(dictionary_id: int) -> bytes | None:
    """The dictionary ``dictionary_id`` if this process has read it already, else None."""
    with _LOCK:
        return _DICTIONARIES.get(dictionary_id)


def dictionary_bytes(connection, dictionary_id: int) -> bytes:
    """The dictionary ``dictionary_id`` (cached per process; rows never change); KeyError if absent."""
    with _LOCK:
        data = _DICTIONARIES.get(dictionary_id)
    if data is None:
        data = connection.execute(text("SELECT data FROM credential_dictionary WHERE id = :id"),
                                  {"id": dictionary_id}).scalar()
        if data is None:
            raise KeyError(f"credential dictionary {dictionary_id} is missing")
        data = bytes(data)
        _remember(dictionary_id, data)
    return data


def _course_dictionary(connection, course_id: int | None, container: bytes) -> tuple[int, bytes]:
    """The dictionary for ``course_id``'s credentials, made from ``container`` if it has none yet."""
    key = (id(connection.engine), str(connection.engine.url), course_id)
    with _LOCK:
        known = _BY_COURSE.get(key)
    if known is not None:
        return known, dictionary_bytes(connection, known)
    where = "course_id = :course" if course_id is not None else "course_id IS NULL"
    row = connection.execute(text(f"SELECT id, data FROM credential_dictionary WHERE {where} ORDER BY id LIMIT 1"),
                             {"course": course_id}).first()
    if row is None:
        dictionary_id, data = new_dictionary_id(), container
        connection.execute(text("INSERT INTO credential_dictionary (id, course_id, data) VALUES (:id, :course, :data)"),
                           {"id": dictionary_id, "course": course_id, "data": data})
    else:
        dictionary_id, data = int(row[0]), bytes(row[1])
    _remember(dictionary_id, data)
    with _LOCK:
        _BY_COURSE[key] = dictionary_id
        while len(_BY_COURSE) > 4096:
            _BY_COURSE.popitem(last=False)
    return dictionary_id, data


def forget_course_dictionaries() -> None:
    """Drop the per-process course -> dictionary choices (tests that recreate databases)."""
    with _LOCK:
        _BY_COURSE.clear()


def encode(connection, course_id: int | None, document: str, jwt: str) -> tuple[bytes, int | None]:
    """``(frame, dictionary id)`` storing ``document`` and ``jwt`` for a credential of ``course_id``,
    creating the course's dictionary on its first credential (in the caller's transaction).
    Empty forms (a row being built) store as ``(b"", None)``. Checks that the frame decodes to the
    same bytes before returning it (raises ValueError otherwise)."""
    if not document and not jwt:
        return b"", None
    container = pack(document, jwt)
    dictionary_id, data = _course_dictionary(connection, course_id, container)
    frame = compress(container, dictionary_id, data)
    if unpack(decompress(frame, dictionary_id, data)) != (document, jwt):
        raise ValueError("compact storage would not give back the signed bytes")
    return frame, dictionary_id


def decode(connection, frame: bytes | None, dictionary_id: int | None) -> tuple[str, str]:
    """``(document, jwt)`` stored by :func:`encode` (``("", "")`` for an empty frame)."""
    if not frame:
        return "", ""
    data = dictionary_bytes(connection, dictionary_id) if dictionary_id is not None else None
    return unpack(decompress(bytes(frame), dictionary_id, data))
