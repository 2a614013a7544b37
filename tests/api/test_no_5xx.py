"""Bad input never gets a 5xx: seeded random bodies against the write and verify endpoints."""
from __future__ import annotations

import json
import random

import pytest

VALUES = [None, True, 0, -1, 1.5, 1e308, "", "x" * 300, "did:key:z", "a@b", "\u0000", "<script>", [], {}, [1, "a"],
          {"name": {}}, {"@context": "https://attacker.example/ctx"}, "2026-13-45T99:99:99Z", "urn:uuid:x"]
KEYS = ["course", "learner", "name", "email", "id", "completedAt", "result", "grade", "score", "maxScore",
        "passed", "evidence", "url", "narrative", "issuer", "ids", "reason", "credentials", "holder", "@context",
        "type", "proof", "credentialSubject"]


def _random_value(rng: random.Random, depth: int = 0):
    roll = rng.random()
    if depth < 3 and roll < 0.3:
        return {rng.choice(KEYS): _random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if depth < 3 and roll < 0.4:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice(VALUES)


def _bodies(seed: int, n: int):
    rng = random.Random(seed)
    base = {"course": "HV-2S", "learner": {"name": "Fuzz", "email": "fuzz@example.org"}}
    for _ in range(n):
        body = json.loads(json.dumps(base))
        for _ in range(rng.randint(1, 3)):
            target = body if rng.random() < 0.6 else body.setdefault("learner", {})
            if isinstance(target, dict):
                target[rng.choice(KEYS)] = _random_value(rng)
        yield body if rng.random() < 0.9 else _random_value(rng)


@pytest.mark.parametrize("path", ["/api/v1/credentials", "/api/v1/credentials/revoke", "/api/v1/verify",
                                  "/api/v1/coverage", "/api/v1/courses"])
def test_random_bodies_never_cause_a_server_error(client, auth, path):
    for body in _bodies(sum(path.encode()), 120):  # a stable seed per path
        response = client.post(path, data=json.dumps(body), content_type="application/json", headers=auth)
        assert response.status_code < 500, (path, body, response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
