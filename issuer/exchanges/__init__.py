"""Wallet pickup: a learner claims an issued credential into a wallet, bound to the wallet's key.

* OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow
  (https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html): :mod:`.oid4vci`,
  key proofs in :mod:`.key_proof`;
* W3C VC API / VCALM exchanges (https://w3c-ccg.github.io/vc-api/#workflows-and-exchanges) with a
  ``DIDAuthentication`` presentation request, and the Digital Credentials Consortium's deep links
  that the Learner Credential Wallet opens: :mod:`.vcapi`;
* a private claim offer per credential (claim page, both protocols, expiry, PIN): :mod:`.offers`;
* holder binding, one record per credential and at most one holder: :mod:`.binding`.

No Flask here: the routes live in ``issuer.api.exchanges`` and ``issuer.web.claim``.
"""
