"""Domain vocabulary: frozen dataclasses and enums shared by every layer."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Operation(str, enum.Enum):
    """Every operation named in the public contract, one row of the matrix each."""

    CREATE_VM = "create_vm"
    CREATE_VM_FROM_TEMPLATE = "create_vm_from_template"
    COMPOSE_VAPP = "compose_vapp"
    CREATE_VAPP_FROM_OVF = "create_vapp_from_ovf"
    INSTANTIATE_VAPP_TEMPLATE = "instantiate_vapp_template"
    IMPORT_VM_AS_VAPP = "import_vm_as_vapp"
    ADD_VM_TO_VAPP = "add_vm_to_vapp"
    ADD_VM_FROM_TEMPLATE = "add_vm_from_template"
    COPY_VM = "copy_vm"
    MOVE_VM = "move_vm"
    COPY_VAPP = "copy_vapp"
    MOVE_VAPP = "move_vapp"
    CAPTURE_VAPP = "capture_vapp"
    CAPTURE_VM = "capture_vm"
    CREATE_TEMPLATE_FROM_OVF = "create_template_from_ovf"
    IMPORT_VM_AS_TEMPLATE = "import_vm_as_template"
    ADD_TPM = "add_tpm"
    REMOVE_TPM = "remove_tpm"
    REPLACE_TPM = "replace_tpm"


class Band(str, enum.Enum):
    """vCenter behaviour band: 7.x clones as an exact replica, 8.x can replace."""

    V7 = "7.x"
    V8 = "8.x"


class TpmMode(str, enum.Enum):
    """What a caller may request for an existing vTPM."""

    COPY = "copy"
    REPLACE = "replace"


class MatrixMode(str, enum.Enum):
    """A mode the matrix allows; TEMPLATE means the template's provenance decides."""

    COPY = "copy"
    REPLACE = "replace"
    NEW = "new"
    TEMPLATE = "template"
    REMOVE = "remove"


class TpmAction(str, enum.Enum):
    """What happens to one VM's vTPM."""

    COPY = "copy"
    REPLACE = "replace"
    NEW = "new"
    NONE = "none"
    REMOVE = "remove"
    UNKNOWN = "unknown"  # a template of unknown provenance: copy or replace, nobody can tell


class Provenance(str, enum.Enum):
    """How a vApp template came to be. UNKNOWN: nothing Cloud Director shows says so
    (a template made outside vcdtpm, whose provenance vcdtpm did not record)."""

    CAPTURED = "captured"
    OVF = "ovf"
    VCENTER_IMPORT = "vcenter_import"
    UNKNOWN = "unknown"


class CheckStatus(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


class Firmware(str, enum.Enum):
    EFI = "efi"
    BIOS = "bios"


class Power(str, enum.Enum):
    ON = "on"
    OFF = "off"


class KeyProviderType(str, enum.Enum):
    NATIVE = "native"
    STANDARD = "standard"
    TRUSTED = "trusted"


@dataclass(frozen=True)
class KeyProvider:
    name: str
    type: KeyProviderType
    default: bool = False
    tpm_hosts_only: bool = False


@dataclass(frozen=True)
class Host:
    name: str
    tpm: bool = False


@dataclass(frozen=True)
class Datastore:
    name: str
    url: str


@dataclass(frozen=True)
class VCenterFacts:
    """What one vCenter offers to vTPM VMs (provider-only facts)."""

    name: str
    version: str
    key_providers: tuple[KeyProvider, ...] = ()
    hosts: tuple[Host, ...] = ()
    datastores: tuple[Datastore, ...] = ()
    clone_tpm_policy: str = "copy"

    def key_provider(self, name: str) -> KeyProvider | None:
        return next((kp for kp in self.key_providers if kp.name == name), None)

    @property
    def default_key_provider(self) -> KeyProvider | None:
        return next((kp for kp in self.key_providers if kp.default), None)

    @property
    def has_tpm_host(self) -> bool:
        return any(h.tpm for h in self.hosts)

    @property
    def datastore_urls(self) -> frozenset[str]:
        return frozenset(ds.url for ds in self.datastores)


@dataclass(frozen=True)
class VmFacts:
    """One VM as the rules see it. `id` is a URN, or None for a VM yet to be made."""

    name: str
    guest_os: str
    firmware: Firmware = Firmware.EFI
    hardware_version: int = 19
    power: Power = Power.OFF
    tpm_present: bool = False
    id: str | None = None
    vcenter: str | None = None  # provider-only: the vCenter hosting it
    moref: str | None = None  # provider-only: its managed object id there
    datastore_url: str | None = None  # provider-only: where its home files live
    key_provider: str | None = None  # provider-only: name of the key provider
    tpm_identity: str | None = None  # fingerprint of the EK certificate


@dataclass(frozen=True)
class TemplateFacts:
    """A vApp template in a catalog, with its provenance.

    `tpm_provisioning`: for a captured template, the TPM provisioning chosen at capture; for a
    template of unknown provenance, what Cloud Director itself reports (copyTpmOnInstantiate
    on its query record), when it does."""

    id: str | None
    name: str
    provenance: Provenance
    tpm_provisioning: TpmMode | None = None
    vms: tuple[VmFacts, ...] = ()


@dataclass(frozen=True)
class Placement:
    """Where an operation puts its result: a vCenter, a datastore and the hosts its VMs run on
    (the cluster behind the target VDC; None when not known: every host of the vCenter)."""

    vcenter: VCenterFacts
    datastore_url: str | None = None
    hosts: tuple[Host, ...] | None = None


@dataclass(frozen=True)
class SourceVApp:
    """The vApp an existing VM lives in, and the names of the other VMs in it."""

    id: str
    name: str
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class Subject:
    """One VM that an operation creates, copies, moves or changes.

    `vm` is the source VM (or the spec of a new one); `source` is the vCenter it
    lives on now (None for a VM that does not exist yet); `template` is set when
    the VM comes out of a vApp template; `vapp` is the vApp the VM lives in, read
    only where a check needs it (capture_vm), else None; `identity_peers` is read
    only where a plan tells which identity group a VM leaves (replace_tpm).
    """

    vm: VmFacts
    source: VCenterFacts | None = None
    template: TemplateFacts | None = None
    from_ovf: bool = False
    vapp: SourceVApp | None = None
    identity_peers: int | None = None  # how many other VMs share its vTPM identity (None: not read)


@dataclass(frozen=True)
class PlanInput:
    """Everything the planner needs, already resolved from the clouds."""

    operation: Operation
    subjects: tuple[Subject, ...]
    target: Placement
    requested: TpmMode | None = None
    replace_on_7x: bool = False
    acknowledge_tpm_data_loss: bool = False
    fast_cross_vcenter_instantiation: bool = False
    move: bool = False  # an import that moves the vCenter VM (sourceMove) rather than copying it


@dataclass(frozen=True)
class Check:
    id: str
    status: CheckStatus
    message: str
    remedy: str = ""
    vm: str | None = None


@dataclass(frozen=True)
class VmPlan:
    id: str | None
    name: str
    tpm_present: bool
    action: TpmAction
    rule: str
    reason: str


@dataclass(frozen=True)
class Plan:
    operation: Operation
    allowed: bool
    tpm: TpmMode | None
    source_band: Band | None
    target_band: Band
    vms: tuple[VmPlan, ...] = ()
    checks: tuple[Check, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    # true when executing the same request would be refused for lack of acknowledge_tpm_data_loss
    requires_acknowledgement: bool = False
