"""Issue #9 §2: every expansion and canonicalization outside the template fast path runs under a
deadline in a bounded pool of worker processes; the template cache is bounded by bytes."""
from __future__ import annotations

import copy
import importlib
import time
import tracemalloc

import pytest

from issuer.signing.jsonld import workers
from issuer.signing.jsonld.canonize import CanonizationError, cache_info, clear_cache, configure_cache
from issuer.signing.jsonld.safemode import DataLossError
from issuer.signing.jsonld.template import TemplateCache, template_bytes
from tests.spec import load_spec_json

canonize_module = importlib.import_module("issuer.signing.jsonld.canonize")
canonize = canonize_module.canonize


@pytest.fixture(autouse=True)
def warm_pool():
    assert workers.prestart(wait=60)  # deadlines below are shorter than a cold start


def _clique(n: int) -> dict:
    nodes = [{"@id": f"_:b{i}", "https://example.org/p": [{"@id": f"_:b{j}"} for j in range(n) if j != i]}
             for i in range(n)]
    return {"@context": {}, "@graph": nodes}


def _vector() -> dict:
    return copy.deepcopy(load_spec_json("vectors", "ob-impl-guide", "ob3-eddsa-rdfc-2022-test-vector.json")
                         ["unsignedCredential"])


def test_a_poison_graph_is_stopped_and_the_worker_replaced():
    before = workers.settings()
    start = time.monotonic()
    with pytest.raises(CanonizationError, match="exceeded") as caught:
        canonize(_clique(12), deadline=0.5)
    assert time.monotonic() - start < 3
    assert caught.value.limit == "JSONLD_DEADLINE_SECONDS"
    after = workers.settings()
    assert after["killed"] == before["killed"] + 1
    doc = _vector()  # the pool still works afterwards
    assert canonize(doc) == canonize(copy.deepcopy(doc))


def test_one_budget_caps_all_jsonld_work_of_a_request():
    start = time.monotonic()
    with workers.budget(0.6):
        with pytest.raises(CanonizationError) as first:
            canonize(_clique(12))
        assert first.value.limit == "JSONLD_BUDGET_SECONDS"
        with pytest.raises(CanonizationError, match="budget is spent"):
            canonize(_clique(11))
    assert time.monotonic() - start < 3


def test_errors_in_a_worker_surface_as_the_callers_types():
    doc = _vector()
    doc["credentialSubject"]["undefinedTerm"] = "IfDroppedWillVerify"
    doc["id"] = "urn:uuid:11111111-2222-4333-8444-555555555555"
    doc["name"] = "a shape never seen: " + str(time.time())
    with pytest.raises(DataLossError, match="undefinedTerm") as caught:
        canonize(doc)
    assert any("undefinedTerm" in p for p in caught.value.problems)


def test_the_fast_path_runs_in_process_without_a_worker(monkeypatch):
    doc = _vector()
    for _ in range(2):  # the second sighting builds the template
        canonize(copy.deepcopy(doc))
    expected = canonize(copy.deepcopy(doc))
    monkeypatch.setattr(workers, "run", lambda *a, **k: pytest.fail("a worker was used on the fast path"))
    variant = copy.deepcopy(doc)
    variant["name"] = "Another name, same shape"
    assert canonize(variant) != expected
    assert canonize(copy.deepcopy(doc)) == expected


def test_in_process_mode_runs_without_workers():
    workers.configure(workers=0)
    try:
        doc = _vector()
        doc["name"] = "in-process " + str(time.time())
        assert canonize(doc).startswith("<") or canonize(doc).startswith("_:")
        assert workers.settings()["workers"] == 0
    finally:
        workers.configure(workers=workers.DEFAULT_WORKERS)


def test_template_cache_is_bounded_by_bytes_with_eviction():
    """The issue's attack: many unsigned, attacker-chosen shapes (+208 MB in 71 requests)."""
    clear_cache()
    configure_cache(1_500_000)
    try:
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        for i in range(71):
            doc = _vector()
            doc["evidence"] = [{"type": ["Evidence"], "name": f"e{k}", "description": "d"} for k in range(20 + i)]
            canonize(doc)
            canonize(copy.deepcopy(doc))  # the second sighting stores a template
        grown = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        info = cache_info()
        assert info["bytes"] <= 1_500_000 and info["evictions"] > 0
        assert grown < 8_000_000, grown  # flat: not one template per shape kept forever
    finally:
        configure_cache(32 * 1024 * 1024)
        clear_cache()


def test_one_off_shapes_build_no_template():
    clear_cache()
    for i in range(5):
        doc = _vector()
        doc["evidence"] = [{"type": ["Evidence"], "name": "e"}] * (i + 1)
        canonize(doc)
    assert cache_info()["shapes"] == 0 and cache_info()["bytes"] == 0


def test_cache_accounting_matches_its_contents():
    cache = TemplateCache(max_bytes=10_000_000)
    doc = _vector()
    leaves: list[str] = []
    key = canonize_module.shape_of(doc, leaves)
    quads, _ = canonize_module.expand_to_quads(doc, canonize_module.document_loader)
    template, exact = canonize_module.build_template(doc, leaves, quads, canonize_module.document_loader)
    cache.store(key, leaves, template, exact)
    assert cache.bytes == template_bytes(template, leaves) > 0
    assert cache.lookup(key, leaves) is template
    cache.set_budget(10)
    assert cache.bytes == 0 and cache.lookup(key, leaves) is None


def test_a_pool_whose_workers_cannot_start_fails_fast(monkeypatch):
    monkeypatch.setattr(workers.sys, "executable", "/nonexistent/python")
    pool = workers._Pool(1, 1.0, 3.0)
    start = time.monotonic()
    with pytest.raises(workers.WorkerFailed, match="cannot start"):
        pool.run("issuer.signing.jsonld.canonize.warm_up", (), 1.0, time.monotonic() + 30)
    assert time.monotonic() - start < 5
    pool.close()
