"""Interop tests run our artefacts through third-party (npm) verifiers.

Everything in this directory is marked ``interop``. The ``node_harness``
fixture installs the pinned npm packages once per session; it skips only when
``node`` is not on PATH — if node is there and ``npm ci`` fails, the tests fail.
"""
from __future__ import annotations

import pathlib
import shutil

import pytest

from tests.interop import harness

_HERE = pathlib.Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in pathlib.Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.interop)


@pytest.fixture(scope="session")
def node_harness():
    """The :mod:`tests.interop.harness` module, with its npm packages installed."""
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH (interop tests need Node >= 20 and npm)")
    try:
        harness.ensure_installed()
    except harness.HarnessError as exc:
        pytest.fail(str(exc), pytrace=False)
    return harness
