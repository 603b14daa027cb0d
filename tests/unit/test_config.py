"""Configuration: the simulated cloud by default, named fields for every mistake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vcdtpm.config import ENDPOINT_KEYS, ENVIRONMENT, TOP_LEVEL_KEYS, load_config
from vcdtpm.domain.errors import Invalid


def write(tmp_path, text: str) -> str:
    path = tmp_path / "vcdtpm.yaml"
    path.write_text(text)
    return str(path)


def test_no_configuration_means_the_simulated_cloud(monkeypatch):
    monkeypatch.delenv("VCDTPM_CONFIG", raising=False)
    config = load_config()
    assert config.simulated and config.cloud_director is None and config.journal_url is None


def test_a_real_cloud_reads_passwords_from_files_and_verifies_tls(tmp_path):
    (tmp_path / "pw").write_text("s3cret\n")
    config = load_config(
        write(
            tmp_path,
            f"""
cloud_director: {{url: "https://vcd", user: admin, password_file: {tmp_path / "pw"}}}
vcenters: [{{name: vc-a, url: "https://vc-a/sdk", user: ro, password: x, verify_tls: false}}]
journal_url: postgresql://db/vcdtpm
""",
        )
    )
    assert config.cloud_director.password == "s3cret" and config.cloud_director.verify_tls is True
    assert config.vcenters[0].verify_tls is False and config.journal_url == "postgresql://db/vcdtpm"
    assert "s3cret" not in repr(config)


@pytest.mark.parametrize(
    "text,field",
    [
        ("cloud_director: {url: x}", "cloud_director.user"),
        ("cloud_director: {user: x}", "cloud_director.url"),
        ("cloud_director: {url: x, user: y, password_file: /nonexistent}", "cloud_director.password_file"),
        ("vcenters: [{url: x, user: y}]", "vcenters[0].name"),
        ("lease_seconds: soon", "lease_seconds"),
        ("poll_seconds: -1", "poll_seconds"),
        ("sim_task_delay: true", "sim_task_delay"),
        ("cloud_director: [1]", "cloud_director"),
        ("fast_cross_vcenter_instantiation: yes please", "fast_cross_vcenter_instantiation"),
        ("fast_cross_vcenter_instantiation: 1", "fast_cross_vcenter_instantiation"),
    ],
)
def test_mistakes_name_their_field(tmp_path, text, field):
    with pytest.raises(Invalid) as caught:
        load_config(write(tmp_path, text))
    assert caught.value.field == field


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    with pytest.raises(Invalid) as caught:
        load_config(write(tmp_path, "a: [unclosed"))
    assert caught.value.field == "config"


@pytest.mark.parametrize("text, expected", [("", None), ("fast_cross_vcenter_instantiation: true", True)])
def test_fast_cross_vcenter_instantiation_is_the_providers_statement(tmp_path, text, expected):
    assert load_config(write(tmp_path, text + "\n")).fast_cross_vcenter_instantiation is expected


def test_the_bootstrap_takes_the_switch_from_the_config_else_the_world():
    from types import SimpleNamespace

    from vcdtpm.bootstrap import _fast_cross_vc
    from vcdtpm.config import Config

    world = SimpleNamespace(fast_cross_vcenter_instantiation=True)
    assert _fast_cross_vc(Config(), None) is False
    assert _fast_cross_vc(Config(), world) is True
    assert _fast_cross_vc(Config(fast_cross_vcenter_instantiation=False), world) is False
    assert _fast_cross_vc(Config(fast_cross_vcenter_instantiation=True), None) is True


@pytest.mark.parametrize(
    "text,field,hint",
    [
        ("cloud_director: {url: x, user: y, verfy_tls: false}", "cloud_director.verfy_tls", "verify_tls"),
        ("vcenters: [{name: a, url: x, user: y, pasword_file: /p}]", "vcenters[0].pasword_file", "password_file"),
        ("lease_second: 3", "lease_second", "lease_seconds"),
        ("journal: sqlite://", "journal", "journal_url"),
    ],
)
def test_an_unknown_key_is_refused_by_its_path_with_the_nearest_key(tmp_path, text, field, hint):
    with pytest.raises(Invalid) as caught:
        load_config(write(tmp_path, text))
    assert caught.value.field == field
    assert f"did you mean {hint!r}" in caught.value.message


def test_a_file_that_is_not_a_mapping_is_refused(tmp_path):
    with pytest.raises(Invalid) as caught:
        load_config(write(tmp_path, "- just\n- a list\n"))
    assert caught.value.field == "config"


def test_the_metrics_token_is_read_from_its_file_and_kept_out_of_repr(tmp_path):
    (tmp_path / "scrape").write_text("tok-123\n")
    config = load_config(write(tmp_path, f"metrics_token_file: {tmp_path / 'scrape'}"))
    assert config.metrics_token == "tok-123" and "tok-123" not in repr(config)
    with pytest.raises(Invalid) as caught:
        load_config(write(tmp_path, "metrics_token_file: /nonexistent"))
    assert caught.value.field == "metrics_token_file"


ROOT = Path(__file__).resolve().parents[2]
CONFIGURATION = (ROOT / "docs" / "CONFIGURATION.md").read_text()


def _first_cells(section: str) -> set[str]:
    """The `names` in the first column of the table under a `## section` heading of CONFIGURATION.md."""
    text = CONFIGURATION.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return names


def test_every_configuration_key_is_documented_and_nothing_else():
    accepted = set(TOP_LEVEL_KEYS)
    accepted |= {f"cloud_director.{key}" for key in ENDPOINT_KEYS}
    accepted |= {f"vcenters[].{key}" for key in ENDPOINT_KEYS}
    assert _first_cells("The configuration file") == accepted


def test_every_environment_variable_read_is_documented_and_nothing_else():
    read = set(ENVIRONMENT)
    for folder in ("vcdtpm", "api"):
        for source in (ROOT / folder).rglob("*.py"):
            read |= set(re.findall(r"\b(?:VCDTPM|XDG|PROMETHEUS)_[A-Z_]+\b", source.read_text()))
    assert _first_cells("Environment") == read


def test_every_serve_option_is_documented():
    from vcdtpm.cli.main import parser

    serve = parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    options = {o for action in serve._actions for o in action.option_strings if o.startswith("--")} - {"--help"}
    assert _first_cells("`vcdtpm serve`") == options


def test_the_journal_key_comes_from_the_file_or_the_environment_and_is_never_shown(tmp_path, monkeypatch):
    monkeypatch.delenv("VCDTPM_JOURNAL_KEY", raising=False)
    monkeypatch.delenv("VCDTPM_JOURNAL_KEY_FILE", raising=False)
    config = load_config(write(tmp_path, "journal_key: from-the-file\njournal_key_file: /run/secrets/key\n"))
    assert (config.journal_key, config.journal_key_file) == ("from-the-file", "/run/secrets/key")
    assert "from-the-file" not in repr(config)
    monkeypatch.setenv("VCDTPM_JOURNAL_KEY", "from-the-env")
    assert load_config(write(tmp_path, "journal_key: from-the-file\n")).journal_key == "from-the-env"


def test_a_journal_key_that_is_not_a_string_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("VCDTPM_JOURNAL_KEY", raising=False)
    with pytest.raises(Invalid) as refused:
        load_config(write(tmp_path, "journal_key: 12\n"))
    assert refused.value.field == "journal_key"
