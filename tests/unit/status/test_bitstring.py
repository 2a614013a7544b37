"""Bitstring Status List v1.0 bit order and ``encodedList`` encoding (SL-03, SL-04, SL-09)."""
from __future__ import annotations

import base64
import gzip
import time
import zlib

import pytest

from issuer.status.bitstring import Bitstring, BitstringError, decode, encode
from tests.spec import load_spec_json

MIN_ENTRIES = 131072


def _encoded_list(*parts):
    return load_spec_json(*parts)["credentialSubject"]["encodedList"]


def _b64u(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ----------------------------------------------------------------------------- reference lists


def test_1edtech_testlist_has_only_bit_23():
    bits = decode(_encoded_list("examples", "1edtech-validator", "bit-string-list", "testlist.json"))
    assert len(bits) == MIN_ENTRIES
    assert list(bits.set_indices()) == [23]
    assert bits.get(23) == 1 and bits.get(22) == 0 and bits.get(24) == 0
    assert bytes(bits)[2] == 0x01  # index 23 = least significant bit of the third byte


def test_1edtech_revoked_credential_points_at_a_set_bit():
    cred = load_spec_json("examples", "1edtech-validator", "bit-string-list", "credential-status-revoked.json")
    bits = decode(_encoded_list("examples", "1edtech-validator", "bit-string-list", "testlist.json"))
    assert bits.get_status(int(cred["credentialStatus"]["statusListIndex"])) == 1


def test_w3c_example_list_is_all_zeros():
    encoded = _encoded_list("vectors", "bitstring-status-list", "w3c-bsl-example-status-list-credential.json")
    bits = decode(encoded)
    assert len(bits) == MIN_ENTRIES and bits.count() == 0
    cred = load_spec_json("vectors", "bitstring-status-list", "w3c-bsl-example-revocable-credential.json")
    assert bits.get_status(int(cred["credentialStatus"]["statusListIndex"])) == 0


def test_w3c_example_entry_indices_fit_the_minimum_list():
    cred = load_spec_json("vectors", "bitstring-status-list", "w3c-bsl-example-revocation-and-suspension-entries.json")
    bits = Bitstring(MIN_ENTRIES)
    for entry in cred["credentialStatus"]:
        index = int(entry["statusListIndex"])
        bits.set(index, 1)
        assert decode(encode(bits)).get(index) == 1


def test_encoding_matches_reference_decoders():
    bits = decode(_encoded_list("examples", "1edtech-validator", "bit-string-list", "testlist.json"))
    encoded = encode(bits)
    assert encoded.startswith("uH4sI")  # 'u' + base64url of the GZIP magic 1f 8b 08
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bytes(bits)


# ----------------------------------------------------------------------------- bit order and API


@pytest.mark.parametrize(("index", "byte", "value"), [
    (0, 0, 0x80), (7, 0, 0x01), (8, 1, 0x80), (23, 2, 0x01), (MIN_ENTRIES - 1, MIN_ENTRIES // 8 - 1, 0x01),
])
def test_bit_zero_is_leftmost(index, byte, value):
    bits = Bitstring(MIN_ENTRIES)
    bits.set(index)
    raw = bytes(bits)
    assert raw[byte] == value and sum(raw) == value


def test_sl03_round_trip_of_edge_indices():
    indices = [0, 7, 8, MIN_ENTRIES - 1]
    bits = Bitstring.from_indices(MIN_ENTRIES, indices)
    decoded = decode(encode(bits))
    assert decoded == bits and list(decoded.set_indices()) == indices
    # independent reader: raw GZIP + manual MSB-first bit extraction
    raw = gzip.decompress(base64.urlsafe_b64decode(encode(bits)[1:] + "=="))
    assert [i for i in range(len(raw) * 8) if raw[i // 8] >> (7 - i % 8) & 1] == indices


def test_set_and_clear():
    bits = Bitstring(16)
    bits.set(3, True)
    bits.set(4, 1)
    bits.set(3, 0)
    assert [bits.get(i) for i in range(8)] == [0, 0, 0, 0, 1, 0, 0, 0]
    assert bits.count() == 1 and len(bits) == 16


@pytest.mark.parametrize("length", [0, -8, 7, 9, 1.5, True])
def test_invalid_lengths(length):
    with pytest.raises((ValueError, TypeError)):
        Bitstring(length)


@pytest.mark.parametrize("index", [-1, 16, 2**64, 10**30])
def test_out_of_range_indices(index):
    bits = Bitstring(16)
    with pytest.raises(IndexError):
        bits.get(index)
    with pytest.raises(IndexError):
        bits.set(index, 1)


@pytest.mark.parametrize("index", ["1", 1.0, None, True])
def test_non_integer_indices(index):
    with pytest.raises(TypeError):
        Bitstring(16).get(index)


@pytest.mark.parametrize("value", [2, -1, "1"])
def test_bit_values(value):
    with pytest.raises(ValueError):
        Bitstring(16).set(0, value)


def test_multi_bit_status():
    bits = Bitstring(16)
    bits.set_status(1, 0b10, size=2)  # bits 2..3 = 1, 0
    assert [bits.get(i) for i in range(4)] == [0, 0, 1, 0]
    assert bits.get_status(1, size=2) == 2
    bits.set_status(7, 3, size=2)
    assert bits.get_status(7, size=2) == 3
    with pytest.raises(IndexError):
        bits.get_status(8, size=2)
    with pytest.raises(ValueError):
        bits.set_status(0, 4, size=2)
    with pytest.raises(IndexError):
        bits.get_status(0, size=0)


def test_from_bytes_copies():
    data = bytearray(b"\x80\x00")
    bits = Bitstring.from_bytes(data)
    data[0] = 0
    assert bits.get(0) == 1
    with pytest.raises(ValueError):
        Bitstring.from_bytes(b"")


# ----------------------------------------------------------------------------- encoding


def test_encoding_is_deterministic_and_unpadded():
    bits = Bitstring.from_indices(MIN_ENTRIES, [5, 99, 1000])
    first, second = encode(bits), encode(Bitstring.from_indices(MIN_ENTRIES, [5, 99, 1000]))
    assert first == second
    assert "=" not in first and "+" not in first and "/" not in first
    header = base64.urlsafe_b64decode(first[1:13] + "=" * (-len(first[1:13]) % 4))
    assert header[4:8] == b"\0\0\0\0"  # GZIP MTIME = 0


def test_encode_accepts_bytes_and_refuses_other_types():
    assert decode(encode(b"\x01" * 16)) == Bitstring.from_bytes(b"\x01" * 16)
    with pytest.raises(TypeError):
        encode(16)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        encode(b"")


def test_encode_large_list_is_fast():
    bits = Bitstring(1_048_576)
    for i in range(0, 1_048_576, 211):  # ~5,000 revocations spread over the list
        bits.set(i)
    encode(bits)  # warm-up
    start = time.perf_counter()
    encoded = encode(bits)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.05, f"encode took {elapsed * 1000:.1f} ms"
    assert decode(encoded) == bits


def test_random_dense_list_round_trips():
    bits = Bitstring.from_bytes(bytes((i * 7919 + 13) % 256 for i in range(MIN_ENTRIES // 8)))
    assert decode(encode(bits)) == bits


# ----------------------------------------------------------------------------- hostile input (SL-09)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


@pytest.mark.parametrize("encoded", [
    None, 42, "", "u", "z" + "1" * 20, "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
    "uH4sI!!!!", "uH4sI+/8=", "u" + "A" * 5, _b64u(b"not gzip at all"),
    _b64u(zlib.compress(b"\0" * 16)),  # zlib container, not GZIP
    _b64u(_gzip(b"\0" * 16)[:-6]),  # truncated
    _b64u(_gzip(b"\0" * 16) + b"junk"),  # trailing bytes
    _b64u(_gzip(b"\0" * 16) * 2),  # second member
    _b64u(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 20),
])
def test_malformed_encodings(encoded):
    with pytest.raises(BitstringError) as err:
        decode(encoded)
    assert err.value.code == "bad_encoding"


def test_empty_bitstring():
    with pytest.raises(BitstringError) as err:
        decode(_b64u(_gzip(b"")))
    assert err.value.code == "bad_length"


def test_decompression_bomb_is_capped():
    bomb = _gzip(b"\0" * (64 * 1024 * 1024))  # 64 MiB of zeros -> ~64 KB compressed
    start = time.perf_counter()
    with pytest.raises(BitstringError) as err:
        decode(_b64u(bomb))
    assert err.value.code == "too_large"
    assert time.perf_counter() - start < 1.0


def test_custom_cap():
    encoded = encode(Bitstring(MIN_ENTRIES))
    assert len(decode(encoded, max_bytes=MIN_ENTRIES // 8)) == MIN_ENTRIES
    with pytest.raises(BitstringError) as err:
        decode(encoded, max_bytes=MIN_ENTRIES // 8 - 1)
    assert err.value.code == "too_large"


def test_oversized_encoded_text_refused_before_decoding():
    with pytest.raises(BitstringError) as err:
        decode("u" + "A" * 4000, max_bytes=1024)
    assert err.value.code == "too_large"
