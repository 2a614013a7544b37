"""PNG baking round trips (OB 3.0 §5.3.1)."""
from __future__ import annotations

import zlib

import pytest

from issuer.delivery.baking import (
    PNG_SIGNATURE,
    BakingError,
    bake,
    bake_png,
    iter_png_chunks,
    unbake,
    unbake_png,
)
from tests.unit.delivery.conftest import make_png, png_chunk


def _credential_chunks(png: bytes) -> list[bytes]:
    return [bytes(c.data) for c in iter_png_chunks(png)
            if c.type == b"iTXt" and bytes(c.data).startswith(b"openbadgecredential\0")]


def _insert_after_ihdr(png: bytes, *chunks: bytes) -> bytes:
    ihdr_end = len(PNG_SIGNATURE) + 25
    return png[:ihdr_end] + b"".join(chunks) + png[ihdr_end:]


@pytest.mark.parametrize("image", ["png", "badge_png"])  # a tiny image and the default badge artwork
@pytest.mark.parametrize("kind", ["credential_json", "credential_jwt"])
def test_round_trip(image, kind, request):
    png, credential = request.getfixturevalue(image), request.getfixturevalue(kind)
    assert unbake_png(png) is None
    baked = bake_png(png, credential)
    assert unbake_png(baked, strict=True) == credential
    assert unbake(baked) == credential


def test_chunk_layout_matches_spec(png, credential_jwt):
    baked = bake_png(png, credential_jwt)
    types = [c.type for c in iter_png_chunks(baked)]
    assert types.index(b"iTXt") == types.index(b"IDAT") - 1
    (body,) = _credential_chunks(baked)
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL
    assert body == b"openbadgecredential\0\0\0\0\0" + credential_jwt.encode()


def test_crcs_are_valid_and_pillow_still_reads_the_image(png, credential_json):
    import io

    from PIL import Image

    baked = bake_png(png, credential_json)
    assert list(iter_png_chunks(baked))[-1].type == b"IEND"  # iter_png_chunks checks every CRC
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert image.size == (16, 12)


def test_rebake_replaces_thepng_chunk(png, credential_json, credential_jwt):
    twice = bake_png(bake_png(png, credential_json), credential_jwt)
    assert len(_credential_chunks(twice)) == 1
    assert unbake_png(twice, strict=True) == credential_jwt


def test_rebake_removes_every_existingpng_chunk(png, credential_json):
    stale = png_chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0{}")
    baked = bake_png(_insert_after_ihdr(png, stale, stale), credential_json)
    assert len(_credential_chunks(baked)) == 1
    assert unbake_png(baked, strict=True) == credential_json


def test_other_text_chunks_are_kept(png, credential_jwt):
    other = png_chunk(b"tEXt", b"Software\0test")
    baked = bake_png(_insert_after_ihdr(png, other), credential_jwt)
    assert any(c.type == b"tEXt" for c in iter_png_chunks(baked))


def test_credential_whitespace_is_trimmed(png, credential_jwt):
    assert unbake_png(bake_png(png, f"\n  {credential_jwt}\n")) == credential_jwt


def test_unbaked_image_gives_none(png):
    assert unbake_png(png) is None
    assert unbake(png) is None


def test_palette_and_greyscale_images(credential_jwt):
    for mode in ("P", "L", "RGBA"):
        assert unbake_png(bake_png(make_png(mode=mode), credential_jwt)) == credential_jwt


def test_first_chunk_wins_unless_strict(png):
    first = png_chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0first.jwt.here")
    second = png_chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0second.jwt.here")
    doubled = _insert_after_ihdr(png, first, second)
    assert unbake_png(doubled) == "first.jwt.here"
    with pytest.raises(BakingError, match="more than one"):
        unbake_png(doubled, strict=True)


def test_compressed_itxt_is_read_leniently_and_refused_strictly(png, credential_jwt):
    body = b"openbadgecredential\0\1\0\0\0" + zlib.compress(credential_jwt.encode())
    compressed = _insert_after_ihdr(png, png_chunk(b"iTXt", body))
    assert unbake_png(compressed) == credential_jwt
    with pytest.raises(BakingError, match="MUST NOT"):
        unbake_png(compressed, strict=True)


def test_chunk_order_outside_idat_does_not_matter(png, credential_jwt):
    # the 1EdTech fixtures put the credential after IDAT
    baked = png[:-12] + png_chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0" + credential_jwt.encode()) + png[-12:]
    assert unbake_png(baked, strict=True) == credential_jwt


@pytest.mark.parametrize("bad", ["", "   ", "not json", "[1, 2]", "a.b", "a.b.c.d", '"string"'])
def test_bake_rejects_what_is_not_a_credential(png, bad):
    with pytest.raises(BakingError):
        bake_png(png, bad)


def test_bake_rejects_non_str(png):
    with pytest.raises(TypeError):
        bake_png(png, b"a.b.c")  # type: ignore[arg-type]


def test_bake_sniffs_png(png, credential_jwt):
    assert unbake_png(bake(png, credential_jwt)) == credential_jwt


def test_bake_drops_data_after_iend(png, credential_jwt):
    baked = bake_png(png + b"<html>trailer</html>", credential_jwt)
    assert baked.endswith(b"IEND\xaeB`\x82")
