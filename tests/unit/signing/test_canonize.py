"""RDFC-1.0 canonicalization: spec vectors, cross-check with plain pyld, cache behaviour, limits."""
import copy
import glob
import json
import pathlib

import pytest
from pyld import jsonld

from issuer.signing.jsonld import canonize
from issuer.badges import contexts
from issuer.signing.jsonld.canonize import CanonizationError, cache_info, clear_cache
from issuer.signing.jsonld.safemode import DataLossError
from tests.spec import SPEC_DIR, load_spec_json, spec_contexts, spec_path


@pytest.fixture(scope="module")
def test_loader():
    return contexts.make_loader(spec_contexts())


def _pyld_nquads(doc, loader):
    return jsonld.normalize(copy.deepcopy(doc), {"algorithm": "URDNA2015", "format": "application/n-quads",
                                                 "documentLoader": loader})


def test_w3c_eddsa_rdfc_2022_vector_document_and_proof_config(test_loader):
    base = "vectors/vc-di-eddsa-raw/eddsa-rdfc-2022/"
    unsigned = load_spec_json("vectors", "vc-di-eddsa-raw", "unsigned.json")
    config = load_spec_json("vectors", "vc-di-eddsa-raw", "eddsa-rdfc-2022", "proofConfigDataInt.json")
    assert canonize(unsigned, test_loader) == spec_path(base + "canonDocDataInt.txt").read_text()
    assert canonize(config, test_loader) == spec_path(base + "proofCanonDataInt.txt").read_text()


def test_ob_implementation_guide_vector():
    vector = load_spec_json("vectors", "ob-impl-guide", "ob3-eddsa-rdfc-2022-test-vector.json")
    doc = vector["unsignedCredential"]
    assert canonize(doc) == vector["documentCanonicalNQuads"]
    options = {**vector["proofOptions"], "@context": doc["@context"]}
    assert canonize(options) == vector["proofCanonicalNQuads"]


def _example_docs():
    files = sorted(glob.glob(str(SPEC_DIR / "examples" / "**" / "*.json"), recursive=True))
    docs = []
    for name in files:
        doc = json.loads(pathlib.Path(name).read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "@context" in doc:
            docs.append(pytest.param(doc, id=name.split("/examples/")[-1]))
    return docs


@pytest.mark.parametrize("doc", _example_docs())
def test_same_result_as_plain_pyld_on_every_example(doc):
    """The cached fast path must agree with pyld (or refuse the document as lossy)."""
    try:
        ours = canonize(doc)
    except DataLossError:
        pytest.skip("document is lossy under safe mode (refused, as intended; see the safe-mode tests)")
    assert ours == _pyld_nquads(doc, contexts.document_loader)
    assert canonize(doc) == ours  # second run comes from the template cache


def test_template_cache_substitutes_values_not_shapes():
    clear_cache()
    vector = load_spec_json("vectors", "ob-impl-guide", "ob3-eddsa-rdfc-2022-test-vector.json")
    doc = copy.deepcopy(vector["unsignedCredential"])
    canonize(doc)
    for i in range(5):
        variant = copy.deepcopy(doc)
        variant["id"] = f"urn:uuid:00000000-0000-4000-8000-00000000000{i}"
        variant["name"] = f'Name "{i}" with \\ backslash\nnewline and ünïcode'
        variant["credentialSubject"]["achievement"]["description"] = "x" * i
        assert canonize(variant) == _pyld_nquads(variant, contexts.document_loader)
    info = cache_info()
    # the first variant changes the id scheme (http -> urn): a new shape, whose template is built
    # on its second sighting; the last three come from the template
    assert info["hits"] >= 3


def test_vocab_coerced_values_are_keyed_exactly():
    """A value whose expansion depends on its content (@vocab/@id coercion) is never a free slot."""
    doc = {"@context": {"@vocab": "https://example.org/v#", "kind": {"@type": "@vocab"},
                        "ex": "https://example.org/ns#"},
           "id": "https://example.org/a", "kind": "ex:first"}
    # "id" without an alias is plain text under @vocab, so use @id explicitly
    doc = {"@context": doc["@context"], "@id": "https://example.org/a", "kind": "ex:first"}
    first = canonize(doc)
    other = {**doc, "kind": "ex:second"}
    assert canonize(other) == _pyld_nquads(other, contexts.document_loader) != first


def test_undefined_term_is_refused():
    vector = load_spec_json("vectors", "ob-impl-guide", "ob3-eddsa-rdfc-2022-test-vector.json")
    doc = copy.deepcopy(vector["unsignedCredential"])
    canonize(doc)  # warm the cache for this shape
    doc["credentialSubject"]["undefinedTerm"] = "IfDroppedWillVerify"
    with pytest.raises(DataLossError, match="undefinedTerm"):
        canonize(doc)


def test_undefined_type_is_refused():
    vector = load_spec_json("vectors", "ob-impl-guide", "ob3-eddsa-rdfc-2022-test-vector.json")
    doc = copy.deepcopy(vector["unsignedCredential"])
    doc["type"] = doc["type"] + ["UndefinedType"]
    with pytest.raises(DataLossError, match="UndefinedType"):
        canonize(doc)


def test_relative_id_is_refused():
    vector = load_spec_json("vectors", "ob-impl-guide", "ob3-eddsa-rdfc-2022-test-vector.json")
    doc = copy.deepcopy(vector["unsignedCredential"])
    canonize(doc)
    doc["id"] = "foo"
    with pytest.raises(DataLossError, match="absolute IRI"):
        canonize(doc)


def test_unknown_context_is_refused_without_fetching():
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://attacker.example/ctx"],
           "type": ["VerifiableCredential"]}
    with pytest.raises(contexts.ContextNotAllowed):
        canonize(doc)


def test_poison_graph_is_bounded_in_time():
    """RDFC-1.0 section 7.1: a blank-node clique must not hang the service (catalog DI-21)."""
    n = 12
    nodes = [{"@id": f"_:b{i}", "https://example.org/p": [{"@id": f"_:b{j}"} for j in range(n) if j != i]}
             for i in range(n)]
    doc = {"@context": {}, "@graph": nodes}
    with pytest.raises(CanonizationError, match="exceeded"):
        canonize(doc, deadline=0.5)


def _ob_vector_doc():
    return copy.deepcopy(load_spec_json("vectors", "ob-impl-guide", "ob3-eddsa-rdfc-2022-test-vector.json")
                         ["unsignedCredential"])


def test_identical_blank_nodes_fall_back_to_full_rdfc_and_agree_with_pyld():
    """Two identical alignments share a first-degree hash: the full algorithm must run."""
    doc = _ob_vector_doc()
    alignment = {"type": ["Alignment"], "targetName": "Same", "targetUrl": "https://example.org/skill"}
    doc["credentialSubject"]["achievement"]["alignment"] = [alignment, dict(alignment)]
    for _ in range(2):  # slow path, then template path
        assert canonize(doc) == _pyld_nquads(doc, contexts.document_loader)


def test_literal_escaping_follows_rdfc_1_0():
    """ECHAR for \\b \\t \\n \\f \\r \" \\\\, UCHAR (upper-case hex) for other controls, as rdf-canonize 5."""
    doc = _ob_vector_doc()
    doc["name"] = 'a\tb\nc\rd"e\\f\x01g\x7fh\bi\fj'
    out = canonize(doc)
    assert '"a\\tb\\nc\\rd\\"e\\\\f\\u0001g\\u007Fh\\bi\\fj"' in out
    assert canonize(doc) == out  # template path gives the same bytes


def test_templates_are_per_loader_and_respect_vocab_terms():
    """proofPurpose is @vocab-coerced: 'assertionMethod' and 'authentication' differ in RDF."""
    config = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "DataIntegrityProof",
              "cryptosuite": "eddsa-rdfc-2022", "created": "2026-01-01T00:00:00Z",
              "verificationMethod": "did:example:1#k", "proofPurpose": "assertionMethod"}
    first = canonize(config)
    other = {**config, "proofPurpose": "authentication"}
    assert "assertionMethod" in first and "authentication" in canonize(other)
    assert canonize(other) == _pyld_nquads(other, contexts.document_loader)


# --- text direction (rdfDirection: i18n-datatype, as the reference eddsa-rdfc-2022 suite) --------------

I18N = "https://www.w3.org/ns/i18n#"


def _directed(direction="rtl", language="ar", **extra):
    value = {"@value": "تشخيص بطاريات الجر 48V-800V", "@direction": direction}
    if language is not None:
        value["@language"] = language
    return {"@context": [contexts.VC_V2], "id": "urn:uuid:0e7a4c21-5b8d-4f6e-9a3c-000000001190",
            "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:learner", "name": value}, **extra}


def _pyld_i18n(doc, loader=contexts.document_loader):
    return jsonld.normalize(copy.deepcopy(doc), {"algorithm": "URDNA2015", "format": "application/n-quads",
                                                 "documentLoader": loader, "rdfDirection": "i18n-datatype"})


@pytest.mark.parametrize("direction, language, datatype", [
    ("rtl", "ar", "ar_rtl"), ("ltr", "ar", "ar_ltr"), ("rtl", None, "_rtl"), ("rtl", "AR-eg", "ar-eg_rtl"),
])
def test_direction_becomes_an_i18n_datatype_on_every_path(direction, language, datatype):
    clear_cache()
    doc = _directed(direction, language)
    cold = canonize(doc)
    assert f'^^<{I18N}{datatype}>' in cold and "@ar" not in cold
    assert cold == _pyld_i18n(doc)
    assert canonize(copy.deepcopy(doc)) == cold  # the second sighting builds the template
    warm = canonize(copy.deepcopy(doc))  # the template path
    assert warm == cold and cache_info()["hits"] == 1
    other = copy.deepcopy(doc)
    other["credentialSubject"]["name"]["@value"] = "نص آخر"
    assert canonize(other) == _pyld_i18n(other) and cache_info()["hits"] == 2


def test_flipped_direction_is_another_document():
    clear_cache()
    rtl, ltr = canonize(_directed("rtl")), canonize(_directed("ltr"))
    assert rtl != ltr and ltr == _pyld_i18n(_directed("ltr"))


def test_direction_kept_with_explicit_blank_nodes_and_term_definitions():
    """The child-process path (explicit ``_:`` ids) and a term definition's ``@direction`` keep it too."""
    doc = _directed(evidence=[{"id": "_:b0", "name": {"@value": "دليل", "@direction": "rtl"}}])
    doc["@context"] = [contexts.VC_V2, {"label": {"@id": "https://schema.org/alternateName", "@direction": "rtl"}}]
    doc["label"] = "نص"
    result = canonize(doc)
    for literal in ('"تشخيص بطاريات الجر 48V-800V"^^<' + I18N + 'ar_rtl>', f'"دليل"^^<{I18N}_rtl>',
                    f'"نص"^^<{I18N}_rtl>'):
        assert literal in result
    assert result == _pyld_i18n(doc)


def test_direction_kept_by_the_full_rdfc_fallback():
    """Identical blank nodes (shared first-degree hashes) go to pyld's full RDFC-1.0: direction kept."""
    clear_cache()
    doc = _directed()
    same = {"name": {"@value": "دليل", "@language": "ar", "@direction": "rtl"}}
    doc["evidence"] = [same, copy.deepcopy(same)]
    for _ in range(2):  # slow path, then template path
        result = canonize(doc)
        assert result.count(f'"دليل"^^<{I18N}ar_rtl>') == 2 and result == _pyld_i18n(doc)


@pytest.mark.parametrize("where", ["top", "scoped"])
def test_default_direction_of_a_context_is_data_loss(where):
    """pyld and jsonld.js disagree on which VC 2.0 terms a context's default ``@direction`` reaches."""
    doc = _directed()
    if where == "top":
        doc["@context"] = [contexts.VC_V2, {"@direction": "rtl"}]
    else:
        doc["@context"] = [contexts.VC_V2, {"Thing": {"@id": "https://example.org/Thing",
                                                      "@context": {"@direction": "rtl"}}}]
    with pytest.raises(DataLossError, match="default text direction"):
        canonize(doc)


@pytest.mark.parametrize("value", [True, 42, 4.5])
def test_direction_that_rdf_cannot_keep_is_data_loss(value):
    doc = _directed()
    doc["credentialSubject"]["name"] = {"@value": value, "@direction": "rtl"}
    with pytest.raises(DataLossError, match="@direction"):
        canonize(doc)
