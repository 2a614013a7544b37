"""Intake: untrusted input becomes plain data or a list of problems.

* I-JSON (RFC 7493, https://www.rfc-editor.org/rfc/rfc7493) strict parsing: :mod:`.strict_json`;
* JSON Schema 2020-12 (https://json-schema.org/draft/2020-12) validation of the project's input
  formats and of the official OB 3.0 schemas: :mod:`.schemas`.
"""
