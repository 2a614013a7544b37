"""The interop table of issue #8: credential variant x verifier x verdict, from real runs.

Usage:  python bench/interop_table.py          (Node >= 20; installs interop/ from its lock file)

Builds the service with its demo data on a fresh SQLite database in a temporary folder, issues
one credential per (status variant, state) through the API (a default provider: one revocation
entry; the demo's suspension opt-in provider: revocation + suspension entries), revokes /
suspends / unsuspends them, and verifies each, JSON-LD and VC-JWT, with our verifier
(``POST /api/v1/verify``), Digital Bazaar's libraries (@digitalbazaar/vc + vc-bitstring-status-list;
jose for VC-JWT) and @digitalcredentials/verifier-core. The third-party libraries get only the
contexts they ship, our DID documents and our status lists (``interop/verify-wallet.mjs``). No
official schema folder is configured: the schema column is the default install's check against the
bundled 1EdTech schemas (``issuer/official_schemas``).
Prints a Markdown table; ``tests/interop/test_wallets.py`` asserts the same matrix.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from issuer import create_app  # noqa: E402
from issuer.config import load_config  # noqa: E402
from issuer.service import build_service  # noqa: E402
from issuer.demo.setup import demo_api_keys, initialize  # noqa: E402
from tests.interop import harness  # noqa: E402
from tests.interop.wallet import BASE, markdown_table, state_matrix  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        values = {"BASE_URL": BASE, "DATABASE_URL": f"sqlite:///{tmp}/issuer.db", "SECRET_KEY": "interop-table-" + "k" * 32,
                  "LOAD_DEMO": True, "VERIFY_REMOTE_DID_WEB": False}
        service = build_service(load_config(Path(tmp) / "instance", environ={}, overrides=values))
        try:
            initialize(service, load_demo=True)
            client = create_app(service=service).test_client()
            rows = state_matrix(client, demo_api_keys(service), harness)
        finally:
            service.engine.dispose()
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
