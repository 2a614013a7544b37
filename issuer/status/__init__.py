"""Credential status: W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/).

:mod:`issuer.status.bitstring` holds the bit-level encoding (``encodedList``); list allocation,
publication and verification rules (minimum 131,072 entries, purposes, ``ttl``) live in the layers
built on top of it.
"""
