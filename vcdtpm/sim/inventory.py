"""The simulated cloud's one inventory: mutable records behind both faces."""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from dataclasses import dataclass, field

from vcdtpm.domain.model import Datastore, Firmware, Host, KeyProvider, Power, Provenance, TpmMode


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class SimVTpm:
    """A vTPM device: its endorsement-key certificate is its identity."""

    ek_cert: bytes
    nvram: bytes

    @classmethod
    def fresh(cls) -> SimVTpm:
        return cls(ek_cert=b"EKCERT-" + secrets.token_bytes(48), nvram=secrets.token_bytes(256))

    @property
    def identity(self) -> str:
        return "sha256:" + hashlib.sha256(self.ek_cert).hexdigest()

    def copy(self) -> SimVTpm:
        return SimVTpm(ek_cert=self.ek_cert, nvram=self.nvram)


@dataclass
class SimVCenter:
    name: str
    version: str
    clone_tpm_policy: str = "copy"
    hosts: list[Host] = field(default_factory=list)
    key_providers: list[KeyProvider] = field(default_factory=list)
    datastores: list[Datastore] = field(default_factory=list)
    id: str = field(default_factory=new_id)
    moref_seq: int = 100
    # the encryption storage policy vSphere 6.7+ ships (None: removed, restores are refused)
    encryption_policy: str | None = "VM Encryption Policy"

    def next_moref(self) -> str:
        self.moref_seq += 1
        return f"vm-{self.moref_seq}"

    def datastore(self, name: str) -> Datastore | None:
        return next((d for d in self.datastores if d.name == name), None)


@dataclass
class SimVm:
    name: str
    guest_os: str
    vcenter: str
    datastore: str  # datastore name on its vCenter
    moref: str
    firmware: Firmware = Firmware.EFI
    hardware_version: int = 19
    power: Power = Power.OFF
    tpm: SimVTpm | None = None
    key_provider: str | None = None  # key provider encrypting its home files
    key_id: str | None = None
    id: str = field(default_factory=new_id)
    vapp: str | None = None  # id of the vApp holding it
    template: str | None = None  # id of the template holding it
    storage_policy: str | None = None  # the storage policy assigned to its home files

    @property
    def encryption_bundle(self) -> str | None:
        if self.key_id is None:
            return None
        return "vmware:key/list/(pair/(fqid/<VMWARE-NULL>/" + self.key_id + "))"


@dataclass
class SimVdc:
    name: str
    org: str
    vcenter: str
    datastore: str
    id: str = field(default_factory=new_id)
    hosts: list[str] | None = None  # names of its cluster's hosts; None: every host of its vCenter


@dataclass
class SimVApp:
    name: str
    org: str
    vdc: str  # vdc id
    vms: list[str] = field(default_factory=list)
    id: str = field(default_factory=new_id)


@dataclass
class SimTemplate:
    name: str
    org: str
    catalog: str  # catalog id
    vdc: str  # vdc id whose storage holds its VMs
    provenance: Provenance  # how it was really made (Cloud Director does not show it)
    tpm_provisioning: TpmMode | None = None  # CopyTpmOnInstantiate at capture
    vms: list[str] = field(default_factory=list)
    id: str = field(default_factory=new_id)
    metadata: dict[str, str] = field(default_factory=dict)  # what clients wrote (POST .../metadata)


@dataclass
class SimCatalog:
    name: str
    org: str
    vdc: str | None = None  # vdc id whose storage holds its templates
    templates: list[str] = field(default_factory=list)
    id: str = field(default_factory=new_id)


@dataclass
class SimUser:
    name: str
    password: str
    role: str = "vApp Author"


@dataclass
class SimOrg:
    name: str
    users: list[SimUser] = field(default_factory=list)
    id: str = field(default_factory=new_id)


SYSTEM_ORG = "System"


@dataclass
class Inventory:
    """All simulated objects, keyed by id (vCenters and orgs by name).

    One lock guards every read-modify-write; both faces take it.
    """

    fast_cross_vcenter_instantiation: bool = False
    provider_users: list[SimUser] = field(default_factory=list)
    vcenters: dict[str, SimVCenter] = field(default_factory=dict)
    orgs: dict[str, SimOrg] = field(default_factory=dict)
    vdcs: dict[str, SimVdc] = field(default_factory=dict)
    vapps: dict[str, SimVApp] = field(default_factory=dict)
    vms: dict[str, SimVm] = field(default_factory=dict)
    catalogs: dict[str, SimCatalog] = field(default_factory=dict)
    templates: dict[str, SimTemplate] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def vm_org(self, vm: SimVm) -> str | None:
        """The org owning a VM: through its vApp or its template; None for vCenter-only VMs."""
        if vm.vapp is not None:
            return self.vapps[vm.vapp].org
        if vm.template is not None:
            return self.templates[vm.template].org
        return None

    def vcenter_vms(self, vcenter: str) -> list[SimVm]:
        return [vm for vm in self.vms.values() if vm.vcenter == vcenter]
