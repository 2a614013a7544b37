"""Checking ELM documents against the EDC application profile's SHACL shapes (test helper).

The shapes (``EDC-generic-full.ttl`` with the ``EDC-generic-no-cv.ttl`` it imports) and the EDC
JSON-LD context are read in place from ``$ISSUER_SPEC_DIR/elm``. The document is first expanded in
safe mode (no term may be dropped), then turned into RDF and validated without inference.
"""
from __future__ import annotations

import functools
import json

import pyshacl
import rdflib
from pyld import jsonld

from issuer.delivery.elm import EDC_AP
from issuer.badges.contexts import make_loader
from issuer.signing.jsonld.safemode import expand_safe
from tests.spec import spec_path


@functools.lru_cache(maxsize=1)
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(spec_path("elm", "EDC-generic-full.ttl"), format="turtle")
    graph.parse(spec_path("elm", "EDC-generic-no-cv.ttl"), format="turtle")
    return graph


@functools.lru_cache(maxsize=1)
def loader():
    return make_loader({EDC_AP: json.loads(spec_path("elm", "edc-ap-context.jsonld").read_text(encoding="utf-8"))})


def graph(document: dict) -> rdflib.Graph:
    expand_safe(document, loader())  # raises DataLossError if a term would be dropped
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": loader()})
    data = rdflib.Graph()
    data.parse(data=nquads, format="nt")  # no named graphs: N-Quads lines are N-Triples
    return data


def validate(document: dict) -> tuple[bool, str]:
    """``(conforms, report text)`` of ``document`` against EDC-generic-full."""
    conforms, _, text = pyshacl.validate(graph(document), shacl_graph=shapes(), inference="none",
                                         allow_warnings=False)
    return conforms, text
