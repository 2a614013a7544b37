"""Test doubles shared by the fetcher tests."""
from __future__ import annotations

import socket


class FakeResolver:
    """``getaddrinfo`` stand-in: maps host names to address lists and records every lookup."""

    def __init__(self, mapping: dict[str, list[str]]) -> None:
        self.mapping = mapping
        self.calls: list[str] = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 (getaddrinfo API)
        self.calls.append(host)
        if host not in self.mapping:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0)) if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in self.mapping[host]
        ]


def refusing_resolver(host, *args, **kwargs):
    raise AssertionError(f"resolver must not be called (asked for {host!r})")
