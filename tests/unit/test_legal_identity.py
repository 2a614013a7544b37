"""tenants.legal_identity: the issuer's legal identifier and country (ELM needs both)."""
from __future__ import annotations

import pytest

from issuer.errors import ValidationFailed
from issuer.store.tenants import legal_identity


@pytest.mark.parametrize("args,expected", [
    (("at", "ATU73918264", "vat"), ("AT", "ATU73918264", "vat")),
    (("DE", " VR 204817 (Amtsgericht Traunstein) ", None), ("DE", "VR 204817 (Amtsgericht Traunstein)", "registration")),
    ((None, None, None), (None, None, None)),
    (("SE", "", None), ("SE", None, None)),
])
def test_normalised(args, expected):
    assert legal_identity(*args) == expected


@pytest.mark.parametrize("args", [
    ("DEU", "X1", None), ("D1", "X1", None), ("DE", "X1", "tax"), ("DE", "<b>1</b>", None), ("DE", "x" * 101, None),
    ("DE", None, "vat"), ("DE", "-leading", None),
])
def test_refused(args):
    with pytest.raises(ValidationFailed):
        legal_identity(*args)
