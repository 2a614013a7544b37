"""Checking ELM documents against the EDC application profile's SHACL shapes (test helper).

The shapes (``EDC-generic-full.ttl`` with the ``EDC-generic-no-cv.ttl`` it imports) and the EDC
JSON-LD context are read in place from ``$ISSUER_SPEC_DIR/elm``. The document is first expanded in
safe mode (no term may be dropped), then turned into RDF and validated without inference.
:func:`validate_unsealed_copy` checks the same RDF against this service's own shape of an unsealed
copy (``issuer/delivery/shapes/elm-unsealed-copy.ttl``), which the copy names in ``credentialSchema``.
"""
from __future__ import annotations

import functools
import json

import pyshacl
import rdflib
from pyld import jsonld

from issuer.delivery.elm import EDC_AP, unsealed_shape
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


@functools.lru_cache(maxsize=1)
def unsealed_copy_shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(data=unsealed_shape().decode("utf-8"), format="turtle")


SH_RESULT = rdflib.URIRef("http://www.w3.org/ns/shacl#result")


def check(data: rdflib.Graph, shacl: rdflib.Graph) -> tuple[bool, int, str]:
    """``(conforms, number of validation results, report text)`` of the RDF ``data``."""
    conforms, results, text = pyshacl.validate(data, shacl_graph=shacl, inference="none", allow_warnings=False)
    return conforms, len(set(results.objects(None, SH_RESULT))), text


def validate(document: dict) -> tuple[bool, str]:
    """``(conforms, report text)`` of ``document`` against EDC-generic-full."""
    conforms, _, text = check(graph(document), shapes())
    return conforms, text


def validate_unsealed_copy(document: dict) -> tuple[bool, str]:
    """``(conforms, report text)`` of ``document`` against the unsealed-copy shape."""
    conforms, _, text = check(graph(document), unsealed_copy_shapes())
    return conforms, text
