"""SVG baking round trips (OB 3.0 §5.3.2)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from issuer.delivery.baking import (
    OB3_NAMESPACE,
    BakingError,
    bake,
    bake_svg,
    unbake,
    unbake_svg,
)

TAG = f"{{{OB3_NAMESPACE}}}credential"


def _credentials(svg: bytes) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(TAG))


@pytest.mark.parametrize("image", ["svg", "badge_svg"])  # a tiny image and the default badge artwork
@pytest.mark.parametrize("kind", ["credential_json", "credential_jwt"])
def test_round_trip(image, kind, request):
    svg, credential = request.getfixturevalue(image), request.getfixturevalue(kind)
    assert unbake_svg(svg) is None
    baked = bake_svg(svg, credential)
    assert f'xmlns:openbadges="{OB3_NAMESPACE}"' in baked.decode()
    assert unbake_svg(baked, strict=True) == credential
    assert unbake(baked) == credential


def test_jwt_goes_in_verify_attribute_of_first_child(svg, credential_jwt):
    baked = bake_svg(svg, credential_jwt)
    root = ET.fromstring(baked)
    first = root[0]
    assert first.tag == TAG
    assert first.get("verify") == credential_jwt
    assert not (first.text or "").strip()
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked


def test_json_goes_in_cdata_body(svg, credential_json):
    baked = bake_svg(svg, credential_json)
    assert b"<openbadges:credential><![CDATA[{" in baked
    (element,) = _credentials(baked)
    assert element.get("verify") is None
    assert json.loads(element.text) == json.loads(credential_json)


def test_cdata_terminator_inside_json_is_split(svg):
    tricky = json.dumps({"name": "a]]>b", "note": "]]>]]>"})
    baked = bake_svg(svg, tricky)
    assert baked.count(b"<![CDATA[") == 4
    assert unbake_svg(baked, strict=True) == tricky


def test_artwork_is_kept_byte_for_byte(svg, credential_jwt):
    baked = bake_svg(svg, credential_jwt)
    assert b"<!-- artwork -->" in baked and b'<circle cx="5" cy="5" r="4" fill="#c00"/>' in baked
    assert baked.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns:openbadges=')


def test_rebake_replaces_the_element(svg, credential_json, credential_jwt):
    twice = bake_svg(bake_svg(svg, credential_json), credential_jwt)
    assert len(_credentials(twice)) == 1
    assert twice.count(b"xmlns:openbadges") == 1
    assert unbake_svg(twice, strict=True) == credential_jwt


def test_rebake_removes_nested_and_empty_elements(credential_jwt):
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="{OB3_NAMESPACE}">'
           '<g><ob:credential verify="x.y.z"/></g><ob:credential>{{}}</ob:credential><rect/></svg>')
    baked = bake_svg(svg, credential_jwt)
    assert len(_credentials(baked)) == 1
    assert b"<rect/>" in baked and b"<g></g>" in baked


def test_self_closing_root(credential_jwt):
    baked = bake_svg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>', credential_jwt)
    assert unbake_svg(baked, strict=True) == credential_jwt
    assert baked.endswith(b"</svg>")


def test_root_attribute_with_angle_bracket(credential_jwt):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" data-x="a>b"><rect/></svg>'
    baked = bake_svg(svg, credential_jwt)
    assert b'data-x="a>b"><openbadges:credential' in baked


def test_str_input_and_bom(svg, credential_jwt):
    assert unbake_svg(bake_svg(svg.decode(), credential_jwt)) == credential_jwt
    assert unbake_svg(bake_svg(b"\xef\xbb\xbf" + svg, credential_jwt)) == credential_jwt


def test_unbaked_image_gives_none(svg):
    assert unbake_svg(svg) is None


def test_first_element_wins_unless_strict():
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_NAMESPACE}">'
           '<openbadges:credential verify="a.b.c"/><openbadges:credential verify="d.e.f"/></svg>')
    assert unbake_svg(svg) == "a.b.c"
    with pytest.raises(BakingError, match="more than one"):
        unbake_svg(svg, strict=True)


def test_verify_and_body_together():
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_NAMESPACE}">'
           '<openbadges:credential verify="a.b.c"><![CDATA[{}]]></openbadges:credential></svg>')
    assert unbake_svg(svg) == "a.b.c"
    with pytest.raises(BakingError, match="both"):
        unbake_svg(svg, strict=True)


def test_empty_credential_element_is_an_error():
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_NAMESPACE}"><openbadges:credential/></svg>'
    with pytest.raises(BakingError, match="empty"):
        unbake_svg(svg)


def test_ob2_namespace_is_not_an_ob3_credential():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
           '<openbadges:assertion verify="https://example.org/a"/></svg>')
    assert unbake_svg(svg) is None


def test_prefix_bound_elsewhere_is_refused(credential_jwt):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"/>'
    with pytest.raises(BakingError, match="already bound"):
        bake_svg(svg, credential_jwt)


def test_non_utf8_document_is_refused(credential_jwt):
    svg = '<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(BakingError, match="UTF-8"):
        bake_svg(svg.encode("latin-1"), credential_jwt)


@pytest.mark.parametrize("bad", [b"<html/>", b"<svg", b"plain text", b""])
def test_not_svg(bad, credential_jwt):
    with pytest.raises(BakingError):
        unbake(bad)
    with pytest.raises(BakingError):
        bake(bad, credential_jwt)
