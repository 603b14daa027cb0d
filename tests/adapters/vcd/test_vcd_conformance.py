"""Conformance: every request the adapter can start, as it goes over HTTP, against the request-schema table.

Each case drives the real adapter against the strict simulated Cloud Director, takes the POST body
and Content-Type from the simulator's request log (never a body built here) and the API version
from the Accept header it came with, and checks them on their own with the table's validator
(vcdtpm.sim.vcd.schema.validate): the body is accepted, its media type and root element are the
pair the table has, and the TPM elements sit where the reference puts them (ReplaceTpm last in a
SourcedItem, CopyTpmOnInstantiate last in CaptureVAppParams, TrustedPlatformModule in a VmType,
TpmPresent in the TPM section). `test_every_kind_the_adapter_knows_has_a_conformance_case` makes a
new kind without a case fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from lxml import etree

from tests.adapters.vcd.acting import URN
from tests.adapters.vcd.test_vcd_actions import NEW_VM, OVF_WITH_TPM
from tests.smallcloud import PASSWORD, ActIds, Ids
from vcdtpm.adapters.vcd.acting import BUILDERS
from vcdtpm.domain.model import Operation
from vcdtpm.domain.steps import EDITS_ONLY
from vcdtpm.sim.vcd import schema

VERSION = "38.1"  # the version the adapter pins (VcdAdapter api_version)
V = "http://www.vmware.com/vcloud/v1.5"
VMEXT = "http://www.vmware.com/vcloud/extension/v1.5"
OVF = "http://schemas.dmtf.org/ovf/envelope/1"
MEDIA = "application/vnd.vmware.vcloud.{}+xml".format
ADMIN_MEDIA = "application/vnd.vmware.admin.{}+xml".format
SESSIONS = re.compile(r"^/(api|cloudapi/[0-9.]+)/sessions(/provider)?$")  # logins (the provider's for imports)
_VERSION = re.compile(r"version\s*=\s*([0-9A-Za-z.\-]+)")


def q(tag: str, ns: str = V) -> str:
    return "{%s}%s" % (ns, tag)


@dataclass(frozen=True)
class Case:
    """One request the adapter sends: its kind, params, who sends it, and what vCD must receive.

    `tpm` holds the expected text of each TPM element by local name (None: the element must be
    absent): ReplaceTpm (every SourcedItem), CopyTpmOnInstantiate, TpmPresent (every one sent).
    """

    id: str
    kind: str
    params: dict
    path_end: str
    media_type: str
    root: str
    tpm: dict = field(default_factory=dict)
    who: str = "alice"
    setup: Callable | None = None
    attributes: dict = field(default_factory=dict)


def _alone_in_web(inventory) -> None:
    inventory.vapps[Ids.web].vms = [Ids.web1]


def _bare_on_acme_b(inventory) -> None:
    inventory.catalogs[Ids.bare].vdc = Ids.acme_b


VM_WEB1 = {"vm": URN("vm", Ids.web1)}
TO_LAB = {"vapp": URN("vapp", ActIds.lab)}
TO_ACME_A = {"vdc": URN("vdc", Ids.acme_a)}
TO_ACME_B = {"vdc": URN("vdc", Ids.acme_b)}
TO_GOLD = {"catalog": URN("catalog", Ids.gold)}
WIN_TPL = {"template": URN("vapptemplate", Ids.win_tpl)}
IMPORTED_VM = {"template": URN("vapptemplate", ActIds.imp_tpl), "vm": URN("vm", ActIds.imp_vm)}
RECOMPOSE = ("/action/recomposeVApp", MEDIA("recomposeVAppParams"), q("RecomposeVAppParams"))
CAPTURE = ("/action/captureVApp", MEDIA("captureVAppParams"), q("CaptureVAppParams"))
TPM = ("/action/editTrustedPlatformModule", MEDIA("TpmSection"), q("TrustedPlatformModule"))
IMPORT_VAPP = ("/importVmAsVApp", ADMIN_MEDIA("importVmAsVAppParams"), q("ImportVmAsVAppParams", VMEXT))
IMPORT_TEMPLATE = (
    "/importVmAsVAppTemplate",
    ADMIN_MEDIA("importVmAsVAppTemplateParams"),
    q("ImportVmAsVAppTemplateParams", VMEXT),
)
LEGACY = {"vcenter_vm": "legacy-1"}

CASES = [
    Case("copy_vm (tpm unset)", "copy_vm", {"source": VM_WEB1, "target": TO_LAB}, *RECOMPOSE, {"ReplaceTpm": None}),
    Case(
        "copy_vm (tpm copy)",
        "copy_vm",
        {"source": VM_WEB1, "target": TO_LAB, "tpm": "copy"},
        *RECOMPOSE,
        {"ReplaceTpm": "false"},
    ),
    Case(
        "copy_vm (tpm replace)",
        "copy_vm",
        {"source": VM_WEB1, "target": TO_LAB, "tpm": "replace", "name": "web-1b"},
        *RECOMPOSE,
        {"ReplaceTpm": "true"},
    ),
    Case("move_vm", "move_vm", {"source": VM_WEB1, "target": TO_LAB}, *RECOMPOSE, {"ReplaceTpm": None}),
    Case("add_vm_to_vapp", "add_vm_to_vapp", {"target": TO_LAB, "vm": NEW_VM}, *RECOMPOSE, {"TpmPresent": "true"}),
    Case(
        "add_vm_to_vapp (no tpm)",
        "add_vm_to_vapp",
        {"target": TO_LAB, "vm": {**NEW_VM, "tpm": False}},
        *RECOMPOSE,
        {"TpmPresent": "false"},
    ),
    Case(
        "add_vm_from_template",
        "add_vm_from_template",
        {"source": IMPORTED_VM, "target": TO_LAB},
        *RECOMPOSE,
        {"ReplaceTpm": None},
    ),
    Case(
        "copy_vapp (tpm copy)",
        "copy_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": TO_ACME_A, "tpm": "copy"},
        "/action/cloneVApp",
        MEDIA("cloneVAppParams"),
        q("CloneVAppParams"),
        {"ReplaceTpm": "false"},
    ),
    Case(
        "copy_vapp (tpm replace)",
        "copy_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": TO_ACME_A, "tpm": "replace"},
        "/action/cloneVApp",
        MEDIA("cloneVAppParams"),
        q("CloneVAppParams"),
        {"ReplaceTpm": "true"},
    ),
    Case(
        "move_vapp",
        "move_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": TO_ACME_B},
        "/action/moveVApp",
        MEDIA("moveVAppParams"),
        q("MoveVAppParams"),
    ),
    Case(
        "compose_vapp",
        "compose_vapp",
        {"target": TO_ACME_A, "items": [IMPORTED_VM, {"new_vm": NEW_VM}], "name": "composed"},
        "/action/composeVApp",
        MEDIA("composeVAppParams"),
        q("ComposeVAppParams"),
        {"ReplaceTpm": None, "TpmPresent": "true"},
    ),
    Case(
        "instantiate_vapp_template",
        "instantiate_vapp_template",
        {"source": WIN_TPL, "target": TO_ACME_A, "name": "twin"},
        "/action/instantiateVAppTemplate",
        MEDIA("instantiateVAppTemplateParams"),
        q("InstantiateVAppTemplateParams"),
    ),
    Case(
        "create_vm_from_template",
        "create_vm_from_template",
        {"source": WIN_TPL, "target": TO_ACME_A},
        "/action/instantiateVmFromTemplate",
        MEDIA("instantiateVmTemplateParams"),
        q("InstantiateVmTemplateParams"),
    ),
    Case(
        "create_vm",
        "create_vm",
        {"target": TO_ACME_A, "vm": NEW_VM},
        "/action/createVm",
        MEDIA("CreateVmParams"),
        q("CreateVmParams"),
        {"TpmPresent": "true"},
    ),
    Case(
        "capture_vapp (tpm copy)",
        "capture_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": TO_GOLD},
        *CAPTURE,
        {"CopyTpmOnInstantiate": "true"},
    ),
    Case(
        "capture_vapp (tpm replace)",
        "capture_vapp",
        {"source": {"vapp": URN("vapp", Ids.web)}, "target": TO_GOLD, "tpm": "replace"},
        *CAPTURE,
        {"CopyTpmOnInstantiate": "false"},
    ),
    Case(
        "capture_vm",
        "capture_vm",
        {"source": VM_WEB1, "target": TO_GOLD},
        *CAPTURE,
        {"CopyTpmOnInstantiate": "true"},
        setup=_alone_in_web,
    ),
    Case(
        "create_vapp_from_ovf",
        "create_vapp_from_ovf",
        {"target": TO_ACME_A, "ovf": OVF_WITH_TPM},
        "/action/instantiateOvf",
        MEDIA("instantiateOvfParams"),
        q("InstantiateOvfParams"),
    ),
    Case(
        "create_template_from_ovf",
        "create_template_from_ovf",
        {"target": TO_GOLD, "ovf": OVF_WITH_TPM, "name": "from-ovf"},
        "/action/upload",
        MEDIA("uploadVAppTemplateParams"),
        q("UploadVAppTemplateParams"),
    ),
    Case(
        "import_vm_as_vapp (copy)",
        "import_vm_as_vapp",
        {"source": LEGACY, "target": TO_ACME_B},
        *IMPORT_VAPP,
        who="admin",
        attributes={"sourceMove": "false"},
    ),
    Case(
        "import_vm_as_vapp (move)",
        "import_vm_as_vapp",
        {"source": LEGACY, "target": TO_ACME_B, "move": True},
        *IMPORT_VAPP,
        who="admin",
        attributes={"sourceMove": "true"},
    ),
    Case(
        "import_vm_as_template (copy)",
        "import_vm_as_template",
        {"source": LEGACY, "target": {"catalog": URN("catalog", Ids.bare)}},
        *IMPORT_TEMPLATE,
        who="admin",
        setup=_bare_on_acme_b,
        attributes={"sourceMove": "false"},
    ),
    Case(
        "import_vm_as_template (move)",
        "import_vm_as_template",
        {"source": LEGACY, "target": {"catalog": URN("catalog", Ids.bare)}, "move": True},
        *IMPORT_TEMPLATE,
        who="admin",
        setup=_bare_on_acme_b,
        attributes={"sourceMove": "true"},
    ),
    Case("add_tpm", "add_tpm", {"source": {"vm": URN("vm", ActIds.web3)}}, *TPM, {"TpmPresent": "true"}),
    Case("remove_tpm", "remove_tpm", {"source": VM_WEB1}, *TPM, {"TpmPresent": "false"}),
    Case(
        "edit_tpm (vm, present)",
        "edit_tpm",
        {"vm": URN("vm", ActIds.web3), "present": True},
        *TPM,
        {"TpmPresent": "true"},
    ),
    Case(
        "edit_tpm (vApp and VM name, absent)",
        "edit_tpm",
        {"vapp": URN("vapp", Ids.web), "vm_name": "web-1", "present": False},
        *TPM,
        {"TpmPresent": "false"},
    ),
    Case(
        "record_provenance",
        "record_provenance",
        {"template": URN("vapptemplate", Ids.win_tpl), "provenance": "captured", "tpm": "replace"},
        "/metadata",
        MEDIA("metadata"),
        q("Metadata"),
    ),
]


@dataclass(frozen=True)
class Sent:
    """One request as the simulator received it: body and Content-Type from its request log,
    Accept from the same HTTP request."""

    method: str
    path: str
    content_type: str
    accept: str
    body: bytes

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip()

    @property
    def version(self) -> str | None:
        match = _VERSION.search(self.accept)
        return match.group(1) if match else None


@pytest.fixture
def wire(fresh_cloud, monkeypatch):
    """What reaches the simulator from now on: its request log, each entry with its Accept header."""
    app = fresh_cloud.app
    accepts: list[str] = []
    respond = app.respond

    def recording(request):
        accepts.append(request.headers.get("Accept", ""))
        return respond(request)

    monkeypatch.setattr(app, "respond", recording)

    def sent() -> list[Sent]:
        entries = app.requests.entries
        assert len(entries) == len(accepts)
        return [Sent(e.method, e.path, e.content_type, a, e.body) for e, a in zip(entries, accepts, strict=True)]

    def clear() -> None:
        app.requests.clear()
        accepts.clear()

    sent.clear = clear
    return sent


def start(fresh_cloud, adapter, wire, case: Case) -> tuple[Sent, object]:
    """Drive the adapter for `case`; the one action POST it sent (logins aside: an import also
    logs in as the provider to find the vCenter behind the VDC), and how `start` ended."""
    session = adapter.login(*(("admin", "System") if case.who == "admin" else ("alice", "acme")), PASSWORD)
    if case.setup:
        case.setup(fresh_cloud.inventory)
    wire.clear()
    try:
        outcome = adapter.start(session, case.kind, case.params, f"conf-{case.kind}")
    except Exception as error:  # judged after the body, so a refusal shows the schema's words
        outcome = error
    posts = [s for s in wire() if s.method == "POST" and not SESSIONS.search(s.path)]
    assert len(posts) == 1, [p.path for p in posts]
    return posts[0], outcome


def texts(body, local: str) -> list[str]:
    return [(e.text or "").strip() for e in body.iter(q(local))]


def check_tpm_placement(body, case: Case) -> None:
    for item in body.iter(q("SourcedItem")):  # SourcedCompositionItemParamType: ReplaceTpm is its last element
        replace = item.findall(q("ReplaceTpm"))
        assert len(replace) <= 1 and (not replace or item[-1] is replace[0]), children(item)
    for vm in (*body.iter(q("CreateItem")), *body.iter(q("CreateVm"))):  # VmType
        tpm = vm.findall(q("TrustedPlatformModule"))
        assert len(tpm) == 1 and vm[-1] is tpm[0], children(vm)
        assert children(tpm[0]) == ["TpmPresent"]
    if body.tag == q("CaptureVAppParams"):
        copy = body.findall(q("CopyTpmOnInstantiate"))
        assert len(copy) == 1 and body[-1] is copy[0], children(body)
    if body.tag == q("TrustedPlatformModule"):
        assert children(body) == ["TpmPresent"]
    for local, expected in case.tpm.items():
        found = texts(body, local)
        if expected is None:
            assert found == [], f"{local} sent: {found}"
        else:
            assert found and set(found) == {expected}, f"{local}: {found}"
    for local in ("ReplaceTpm", "CopyTpmOnInstantiate", "TpmPresent"):
        if local not in case.tpm:
            assert texts(body, local) == [], f"{local} not expected in {case.id}"


def children(element) -> list[str]:
    return [etree.QName(child).localname for child in element if isinstance(child.tag, str)]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_request_the_adapter_sends_is_what_the_schema_table_accepts(fresh_cloud, adapter, wire, case: Case):
    post, outcome = start(fresh_cloud, adapter, wire, case)
    assert post.path.endswith(case.path_end)
    assert post.version == VERSION, post.accept
    body = etree.fromstring(post.body, etree.XMLParser(resolve_entities=False, no_network=True))

    typedef = schema.validate(body, post.media_type, post.version)  # raises SchemaViolation if refused

    table = schema.load()
    assert (post.media_type, body.tag) == (case.media_type, case.root)
    assert table.for_media_type(post.media_type) is typedef and typedef.root == body.tag
    assert table.for_root(body.tag).media_type == post.media_type
    check_tpm_placement(body, case)
    for name, value in case.attributes.items():
        assert body.get(name) == value, name
    assert isinstance(outcome, str) and outcome.startswith(fresh_cloud.url), outcome


@pytest.mark.parametrize("case", [c for c in CASES if c.kind.endswith("_from_ovf")], ids=lambda c: c.id)
def test_the_ovf_descriptor_goes_as_text_xml_after_the_params(fresh_cloud, adapter, wire, case: Case):
    """The descriptor PUT is not a request type of the table (an ovf:Envelope, text/xml)."""
    start(fresh_cloud, adapter, wire, case)
    sent = wire()
    assert [s.method for s in sent if s.method in ("POST", "PUT")] == ["POST", "PUT"]
    put = next(s for s in sent if s.method == "PUT")
    assert put.media_type == "text/xml" and put.path.startswith("/transfer/")
    assert etree.fromstring(put.body).tag == q("Envelope", OVF)
    assert schema.load().for_media_type(put.media_type) is None


def test_every_kind_the_adapter_knows_has_a_conformance_case():
    assert {c.kind for c in CASES} == set(BUILDERS)
    assert {o.value for o in Operation if o not in EDITS_ONLY} <= set(BUILDERS)
    assert "edit_tpm" in BUILDERS  # the steps of the operations that are edits only


def test_every_request_type_of_the_table_is_sent_by_some_case():
    table = schema.load()
    request_types = {(t.media_type, t.root) for t in table.types.values() if t.media_type}
    assert {(c.media_type, c.root) for c in CASES} == request_types


def test_case_ids_are_unique():
    assert len({c.id for c in CASES}) == len(CASES)


def test_the_check_bites_on_the_captured_body(fresh_cloud, adapter, wire):
    """The same captured body, changed the way the checks guard against, is refused by the validator."""
    case = next(c for c in CASES if c.id == "copy_vm (tpm replace)")
    post, _ = start(fresh_cloud, adapter, wire, case)
    body = etree.fromstring(post.body)
    with pytest.raises(schema.SchemaViolation, match="ReplaceTpm"):
        schema.validate(body, post.media_type, "37.1")  # ReplaceTpm is 37.2+
    with pytest.raises(schema.SchemaViolation, match="unexpected element"):
        schema.validate(body, MEDIA("composeVAppParams"), post.version)  # root of another media type
    item = body.find(q("SourcedItem"))
    item.insert(0, item.find(q("ReplaceTpm")))
    with pytest.raises(schema.SchemaViolation, match="ReplaceTpm"):
        schema.validate(body, post.media_type, post.version)
