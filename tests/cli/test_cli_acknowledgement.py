"""`vcdtpm plan` treats a plan that requires acknowledgement as not yet allowed, and speaks in flags."""

from __future__ import annotations

from tests.cli.test_cli_remote import url, vcdtpm  # noqa: F401  (the fixtures)
from tests.demo import urn
from vcdtpm.cli import render

REMOVE_WEB1 = ["--source-vm", urn("vm", "web-1")]


def test_plan_of_an_unacknowledged_removal_is_allowed_after_acknowledgement_and_exits_1(vcdtpm):  # noqa: F811
    status, out, _ = vcdtpm("plan", "remove_tpm", *REMOVE_WEB1)
    assert status == 1
    assert "allowed    allowed after acknowledgement (--acknowledge-tpm-data-loss)" in out
    assert "remedy: " in out and "pass --acknowledge-tpm-data-loss" in out
    assert "acknowledge_tpm_data_loss" not in out


def test_plan_of_an_acknowledged_removal_is_allowed(vcdtpm):  # noqa: F811
    status, out, _ = vcdtpm("plan", "remove_tpm", *REMOVE_WEB1, "--acknowledge-tpm-data-loss")
    assert status == 0 and "allowed    yes" in out


def test_plan_json_carries_requires_acknowledgement_and_exits_1(vcdtpm):  # noqa: F811
    import json

    status, out, _ = vcdtpm("plan", "remove_tpm", *REMOVE_WEB1, "--json")
    plan = json.loads(out)
    assert status == 1 and plan["allowed"] is True and plan["requires_acknowledgement"] is True


def test_a_replace_on_7x_remedy_names_the_flag(vcdtpm):  # noqa: F811
    status, out, _ = vcdtpm(
        "plan", "copy_vm", "--source-vm", urn("vm", "db-1"), "--target-vapp", urn("vapp", "app7"), "--tpm", "replace"
    )
    assert status == 1
    assert "pass --replace-on-7x" in out and "replace_on_7x: true" not in out


def test_remedies_are_rewritten_to_flags():
    assert render.as_flags("Set replace_on_7x: true to emulate") == "pass --replace-on-7x to emulate"
    assert render.as_flags("then set acknowledge_tpm_data_loss: true.") == "then pass --acknowledge-tpm-data-loss."
    assert render.as_flags("Omit `tpm` (or set it to copy) for copy_vm.") == (
        "Leave out --tpm (or pass --tpm copy) for copy_vm."
    )
    assert render.as_flags("Omit `tpm`, or pick a template") == "Leave out --tpm, or pick a template"
