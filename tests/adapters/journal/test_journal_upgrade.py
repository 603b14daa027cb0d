"""A journal made by an earlier release opens: missing columns are added, its operations carry on."""

from __future__ import annotations

import sqlalchemy as sa

from tests.adapters.journal.test_journal import Clock, create, url  # noqa: F401  (fixtures)
from vcdtpm.adapters.journal import Journal
from vcdtpm.adapters.journal.schema import make_engine

pytest_plugins = ["tests.pg_fixture"]


def test_a_journal_without_the_attempts_column_gains_it_and_counts_claims(url):  # noqa: F811
    old = Journal(url, clock=Clock())
    op, _ = create(old)
    old.close()
    engine, _ = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE journal_operations DROP COLUMN attempts"))

    upgraded = Journal(url, clock=Clock())
    try:
        assert upgraded.get(op.id, "acme").attempts == 0
        assert upgraded.claim("w1", 30).attempts == 1
    finally:
        upgraded.close()
    assert "attempts" in {column["name"] for column in sa.inspect(engine).get_columns("journal_operations")}
    engine.dispose()


def test_every_claim_counts(url):  # noqa: F811
    clock = Clock()
    journal = Journal(url, clock=clock)
    try:
        op, _ = create(journal)
        for expected in (1, 2, 3):
            assert journal.claim(f"w{expected}", 30).attempts == expected
            clock.advance(31)  # the lease lapses
        assert journal.get(op.id, "acme").attempts == 3
    finally:
        journal.close()
