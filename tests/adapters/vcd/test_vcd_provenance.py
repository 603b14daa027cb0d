"""Template provenance from the truth: vcdtpm records it through Cloud Director's metadata API
after it makes a template, and reads back only what Cloud Director shows."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from tests.adapters.vcd.acting import URN, run, uuid_of
from tests.adapters.vcd.test_vcd_actions import OVF_WITH_TPM
from tests.smallcloud import PASSWORD, Ids
from vcdtpm.adapters.vcd import metadata, parse
from vcdtpm.domain.model import Band, Operation, Plan, Provenance, TpmMode
from vcdtpm.domain.steps import MAKES_TEMPLATE, steps_for

GOLD = {"catalog": URN("catalog", Ids.gold)}


@pytest.fixture
def admin(adapter):
    return adapter.login("admin", "System", PASSWORD)


def make_and_record(adapter, session, operation: Operation, params: dict) -> str:
    """The main step, then the record step as steps_for journals it; the template's URN."""
    state = run(adapter, session, operation.value, params)
    assert state.status == "success", state.error
    template = state.result["template"]
    provenance = MAKES_TEMPLATE[operation]
    record = {"template": template, "provenance": provenance.value}
    if provenance is Provenance.CAPTURED:
        record["tpm"] = params.get("tpm") or "copy"
    recorded = run(adapter, session, "record_provenance", record)
    assert recorded.status == "success", recorded.error
    assert recorded.result == {"template": template}
    return template


CASES = [
    ("captured copy", Operation.CAPTURE_VAPP, {"source": {"vapp": URN("vapp", Ids.web)}}, "alice", "captured", "copy"),
    (
        "captured replace",
        Operation.CAPTURE_VAPP,
        {"source": {"vapp": URN("vapp", Ids.web)}, "tpm": "replace"},
        "alice",
        "captured",
        "replace",
    ),
    ("ovf", Operation.CREATE_TEMPLATE_FROM_OVF, {"ovf": OVF_WITH_TPM, "name": "from-ovf"}, "alice", "ovf", None),
    (
        "import",
        Operation.IMPORT_VM_AS_TEMPLATE,
        {"source": {"vcenter_vm": "legacy-1"}},
        "admin",
        "vcenter_import",
        None,
    ),
]


@pytest.mark.parametrize("operation, params, who, provenance, tpm", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_template_vcdtpm_makes_reads_back_with_its_provenance(
    fresh_cloud, adapter, alice_session, admin, operation, params, who, provenance, tpm
):
    session = alice_session if who == "alice" else admin
    template_urn = make_and_record(adapter, session, operation, {**params, "target": GOLD})
    stored = fresh_cloud.inventory.templates[uuid_of(template_urn)].metadata
    assert stored.get("vcdtpm.provenance") == provenance and stored.get("vcdtpm.tpm-provisioning") == tpm
    facts = adapter.get_template(alice_session, template_urn).facts
    assert (facts.provenance, facts.tpm_provisioning) == (Provenance(provenance), tpm and TpmMode(tpm))


def test_a_template_made_outside_vcdtpm_has_an_unknown_provenance(fresh_cloud, adapter, alice_session):
    state = run(adapter, alice_session, "create_template_from_ovf", {"ovf": OVF_WITH_TPM, "target": GOLD})
    assert state.status == "success", state.error  # made, but nothing recorded
    facts = adapter.get_template(alice_session, state.result["template"]).facts
    assert (facts.provenance, facts.tpm_provisioning) == (Provenance.UNKNOWN, None)


def test_a_captured_template_without_metadata_has_the_tpm_provisioning_vcd_reports(fresh_cloud, adapter, alice_session):
    params = {"source": {"vapp": URN("vapp", Ids.web)}, "target": GOLD, "tpm": "replace"}
    state = run(adapter, alice_session, "capture_vapp", params)
    facts = adapter.get_template(alice_session, state.result["template"]).facts
    assert (facts.provenance, facts.tpm_provisioning) == (Provenance.UNKNOWN, TpmMode.REPLACE)


def test_cloud_directors_own_word_wins_over_edited_metadata_for_a_captured_template(
    fresh_cloud, adapter, alice_session
):
    template = fresh_cloud.inventory.templates[Ids.win_tpl]  # captured with replace
    template.metadata["vcdtpm.tpm-provisioning"] = "copy"
    facts = adapter.get_template(alice_session, URN("vapptemplate", Ids.win_tpl)).facts
    assert (facts.provenance, facts.tpm_provisioning) == (Provenance.CAPTURED, TpmMode.REPLACE)


def test_the_metadata_body_is_vcds_metadata_type_with_string_values():
    body = metadata.metadata_body({"vcdtpm.provenance": "ovf"})
    ns = {"v": parse.VCLOUD}
    assert body.tag == f"{{{parse.VCLOUD}}}Metadata"
    entry = body.find("v:MetadataEntry", ns)
    assert [child.tag.split("}")[1] for child in entry] == ["Key", "TypedValue"]
    typed = entry.find("v:TypedValue", ns)
    assert typed.get(f"{{{parse.XSI}}}type") == "MetadataStringValue" and typed.find("v:Value", ns).text == "ovf"
    assert b"Domain" not in etree.tostring(body)


def test_the_simulator_refuses_metadata_without_a_typed_value(fresh_cloud, adapter, alice_session):
    body = f'<Metadata xmlns="{parse.VCLOUD}"><MetadataEntry><Key>k</Key></MetadataEntry></Metadata>'
    response = requests.post(
        f"{fresh_cloud.url}/api/vAppTemplate/vappTemplate-{Ids.win_tpl}/metadata",
        data=body,
        headers={
            "Content-Type": metadata.METADATA,
            "Accept": "application/*+xml;version=38.1",
            "Authorization": f"Bearer {alice_session.token}",
        },
        timeout=5,
    )
    assert response.status_code == 400


def test_steps_for_every_template_maker_end_with_recording_its_provenance():

    for operation, provenance in MAKES_TEMPLATE.items():
        steps = steps_for(operation, {"tpm": "replace"}, Plan(operation, True, None, None, Band.V8))
        assert steps[-1].kind == "record_provenance"
        assert steps[-1].params.to_json() == {
            "template": {"$step": 0, "key": "template"},
            "provenance": provenance.value,
        } | ({"tpm": "replace"} if provenance is Provenance.CAPTURED else {})


def test_an_import_that_moves_takes_the_vcenter_vm_itself_with_its_vtpm(fresh_cloud, adapter, admin):
    legacy = next(vm for vm in fresh_cloud.inventory.vms.values() if vm.name == "legacy-1")
    identity = legacy.tpm.identity
    params = {"source": {"vcenter_vm": "legacy-1"}, "target": {"vdc": URN("vdc", Ids.acme_b)}, "move": True}
    state = run(adapter, admin, "import_vm_as_vapp", params)
    assert state.status == "success", state.error
    vapp = fresh_cloud.inventory.vapps[uuid_of(state.result["vapp"])]
    assert vapp.vms == [legacy.id] and legacy.tpm.identity == identity
