"""Securing mechanisms: Data Integrity cryptosuites and VC-JOSE (JWT), and the keys they use.

* VC Data Integrity EdDSA Cryptosuites v1.0, ``eddsa-rdfc-2022``: https://www.w3.org/TR/vc-di-eddsa/
* RDF Dataset Canonicalization (RDFC-1.0): https://www.w3.org/TR/rdf-canon/ (:mod:`.jsonld`)
* Ed25519Signature2020 (verification of older credentials): https://w3c-ccg.github.io/di-eddsa-2020/
* VC-JOSE-COSE / OB 3.0 §8.2 VC-JWT: https://www.w3.org/TR/vc-jose-cose/
* Multikey and multibase: https://www.w3.org/TR/controller-document/#multikey

:mod:`.keys` is the only module that imports the ``cryptography`` hazardous-materials layer;
:mod:`.keystore` seals private keys at rest through it.
"""
