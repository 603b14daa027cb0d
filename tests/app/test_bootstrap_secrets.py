"""The service's data directory: private, with the journal's key made once and its tokens sealed."""

from __future__ import annotations

import stat

from vcdtpm.bootstrap import bootstrap
from vcdtpm.config import Config


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_first_start_makes_a_private_data_dir_with_a_key_and_private_journal_files(tmp_path):
    data = tmp_path / "state"
    data.mkdir(mode=0o755)
    wired = bootstrap(Config(data_dir=str(data), run_executor=False))
    try:
        assert _mode(data) == 0o700
        assert _mode(data / "journal.key") == 0o600
        assert _mode(data / "journal.db") == 0o600
        key = (data / "journal.key").read_bytes()
    finally:
        wired.close()
    again = bootstrap(Config(data_dir=str(data), run_executor=False))
    again.close()
    assert (data / "journal.key").read_bytes() == key  # made once
