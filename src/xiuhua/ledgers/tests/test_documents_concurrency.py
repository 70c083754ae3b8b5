# ruff: noqa: F811 (pytest fixtures imported from the cases tests and documents_fixtures)
"""Two officers issuing at one party at the same moment, each on their own database connection."""

from __future__ import annotations

import time

import pytest

from xiuhua.accounts.models import User
from xiuhua.cases.tests.conftest import media_in_tmp, people  # noqa: F401
from xiuhua.cases.tests.test_concurrency import run_together
from xiuhua.ledgers import documents
from xiuhua.ledgers.models import EnforcementDocument
from xiuhua.ledgers.tests.documents_fixtures import archive_fixture, outside_trade  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def slow_writes(monkeypatch):
    """Hold each issue's transaction open a moment, so the second officer really waits on the first."""
    write = documents._write

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return write(*args, **kwargs)

    monkeypatch.setattr(documents, "_write", slow)


def test_two_matters_issued_at_once_at_one_party_climb_the_ladder_and_take_different_numbers(archive, slow_writes):
    officer, colleague = archive.people.zhifa, User.objects.get(pk=archive.people.zhifa.pk)
    results = run_together(
        lambda: documents.issue_document(officer, outside_trade(archive)),
        lambda: documents.issue_document(colleague, outside_trade(archive)),
    )
    assert all(isinstance(r, EnforcementDocument) for r in results), results
    assert sorted(r.kind for r in results) == ["rectify_by", "reminder"]
    assert len({r.full_number for r in results}) == 2
