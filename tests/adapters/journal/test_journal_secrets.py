"""Tokens at rest: sealed in the journal, erased when the operation ends; the data dir and its files private."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from tests.adapters.journal.test_journal import TOKEN, Clock, claimed, create, url  # noqa: F401  (fixtures)
from vcdtpm.adapters.journal import Journal, sqlite_url
from vcdtpm.adapters.journal.schema import make_engine
from vcdtpm.adapters.journal.sealing import KEY_FILE, TokenSeal, journal_key
from vcdtpm.domain.errors import Invalid

pytest_plugins = ["tests.pg_fixture"]
KEY = Fernet.generate_key()


def _stored_tokens(url: str) -> list:  # noqa: F811
    engine, _ = make_engine(url)
    with engine.begin() as conn:
        tokens = [row[0] for row in conn.execute(sa.text("SELECT token FROM journal_operations"))]
    engine.dispose()
    return tokens


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_token_is_sealed_at_rest_and_opened_with_the_key(url):  # noqa: F811
    journal = Journal(url, clock=Clock(), token_key=KEY)
    try:
        op = claimed(journal)
        stored = _stored_tokens(url)
        assert len(stored) == 1 and TOKEN not in stored[0] and stored[0].startswith("gAAAAA")
        assert journal.token_of(op.id) == TOKEN
        journal.finish(op.id, "w1", "succeeded", {})
        assert _stored_tokens(url) == [None]
    finally:
        journal.close()


def test_another_key_cannot_open_the_token(url):  # noqa: F811
    first = Journal(url, clock=Clock(), token_key=KEY)
    op, _ = create(first)
    first.close()
    other = Journal(url, clock=Clock(), token_key=Fernet.generate_key())
    try:
        assert other.token_of(op.id) is None
    finally:
        other.close()


def test_tokens_an_earlier_release_stored_in_plaintext_are_sealed_on_start(url):  # noqa: F811
    journal = Journal(url, clock=Clock(), token_key=KEY)
    op, _ = create(journal)
    journal.close()
    engine, _ = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE journal_operations SET token = :t"), {"t": TOKEN})
    engine.dispose()
    reopened = Journal(url, clock=Clock(), token_key=KEY)
    try:
        assert TOKEN not in str(_stored_tokens(url)) and reopened.token_of(op.id) == TOKEN
    finally:
        reopened.close()


def test_no_journal_file_holds_the_token_in_plaintext(tmp_path):
    journal = Journal(sqlite_url(tmp_path), clock=Clock(), token_key=KEY)
    try:
        for _ in range(3):
            claimed(journal)
        files = [p for p in tmp_path.iterdir() if p.name.startswith("journal.db")]
        assert {p.name for p in files} >= {"journal.db", "journal.db-wal"}
        assert not any(TOKEN.encode() in p.read_bytes() for p in files)
    finally:
        journal.close()


def test_the_journal_files_are_private(tmp_path):
    data = tmp_path / "state"
    journal = Journal(sqlite_url(data), clock=Clock(), token_key=KEY)
    try:
        claimed(journal)
        assert _mode(data) == 0o700
        for name in ("journal.db", "journal.db-wal", "journal.db-shm"):
            assert _mode(data / name) == 0o600, name
    finally:
        journal.close()


def test_a_key_is_made_once_into_the_data_dir_readable_by_the_service_alone(tmp_path):
    data = tmp_path / "state"
    first = journal_key(None, None, data)
    assert journal_key(None, None, data) == first
    assert _mode(data) == 0o700 and _mode(data / KEY_FILE) == 0o600
    assert TokenSeal(first).open(TokenSeal(first).seal("t")) == "t"


def test_a_configured_key_or_key_file_wins_over_the_data_dir(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(KEY.decode() + "\n")
    assert journal_key(KEY.decode(), None, tmp_path / "a") == KEY
    assert journal_key(None, str(secret), tmp_path / "b") == KEY
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


@pytest.mark.parametrize("key", ["short", "x" * 44])
def test_a_malformed_key_is_refused_naming_the_setting(key):
    with pytest.raises(Invalid) as refused:
        TokenSeal(key)
    assert refused.value.field == "journal_key"
