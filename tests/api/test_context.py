"""issuer.api.context.committing: the one commit-or-roll-back of the views' write transactions."""
from __future__ import annotations

import pytest

from issuer.api.context import committing
from issuer.errors import NotFound


class _Session:
    def __init__(self, fail_commit: bool = False):
        self.calls, self.fail_commit = [], fail_commit

    def commit(self):
        self.calls.append("commit")
        if self.fail_commit:
            raise RuntimeError("the database refused the commit")

    def rollback(self):
        self.calls.append("rollback")


def test_the_block_is_committed():
    session = _Session()
    with committing(session) as same:
        assert same is session
    assert session.calls == ["commit"]


@pytest.mark.parametrize("error", [NotFound("no such thing"), ValueError("a bug")])
def test_an_error_rolls_back_and_goes_on(error):
    session = _Session()
    with pytest.raises(type(error)):
        with committing(session):
            raise error
    assert session.calls == ["rollback"]


def test_a_failed_commit_rolls_back_too():
    session = _Session(fail_commit=True)
    with pytest.raises(RuntimeError):
        with committing(session):
            pass
    assert session.calls == ["commit", "rollback"]
