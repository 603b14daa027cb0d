"""Builders of domain facts for the unit tests, with names a tenant must never see."""

from __future__ import annotations

import zlib

from vcdtpm.domain.model import (
    Datastore,
    Firmware,
    Host,
    KeyProvider,
    KeyProviderType,
    Operation,
    Placement,
    PlanInput,
    Power,
    Provenance,
    Subject,
    TemplateFacts,
    TpmMode,
    VCenterFacts,
    VmFacts,
)

KEY_PROVIDER = "kp-hsm-gold-7f3a"
OTHER_KEY_PROVIDER = "kp-vault-blue-21c9"
SHARED_URL = "ds:///vmfs/volumes/5f1e-shared-lun/"
VERSIONS = {"8.x": "8.0.2.00100", "7.x": "7.0.3.01400"}


def vcenter(
    name: str = "vc-nyc-prod-01",
    version: str = VERSIONS["8.x"],
    key_providers: tuple[KeyProvider, ...] | None = None,
    hosts: tuple[Host, ...] | None = None,
    datastores: tuple[Datastore, ...] | None = None,
) -> VCenterFacts:
    """A vCenter with a default key provider, a TPM host and a private datastore."""
    if key_providers is None:
        key_providers = (KeyProvider(KEY_PROVIDER, KeyProviderType.STANDARD, default=True),)
    if hosts is None:
        hosts = (Host(f"esx-{name}-host17.corp.example", tpm=True),)
    if datastores is None:
        datastores = (Datastore(f"ds-private-{name}", f"ds:///vmfs/volumes/{name}-local/"),)
    return VCenterFacts(name, version, key_providers, hosts, datastores)


def vcenter_of_band(band: str, name: str | None = None, **kwargs) -> VCenterFacts:
    return vcenter(name or f"vc-{band[0]}-site-lhr-02", VERSIONS[band], **kwargs)


def native(name: str = KEY_PROVIDER, default: bool = True, tpm_hosts_only: bool = False):
    return KeyProvider(name, KeyProviderType.NATIVE, default=default, tpm_hosts_only=tpm_hosts_only)


def standard(name: str = KEY_PROVIDER, default: bool = True) -> KeyProvider:
    return KeyProvider(name, KeyProviderType.STANDARD, default=default)


def vm(name: str = "web-1", **overrides) -> VmFacts:
    """An existing, powered-off Windows VM with a vTPM, ready for anything."""
    values = dict(
        name=name,
        guest_os="windows2019srv_64Guest",
        firmware=Firmware.EFI,
        hardware_version=19,
        power=Power.OFF,
        tpm_present=True,
        id=f"urn:vcloud:vm:00000000-0000-4000-8000-{zlib.crc32(name.encode()):012d}",
        datastore_url=None,
        key_provider=None,
    )
    values.update(overrides)
    return VmFacts(**values)


def new_vm(name: str = "new-1", tpm: bool = True, **overrides) -> VmFacts:
    """The spec of a VM that does not exist yet."""
    return vm(name, id=None, tpm_present=tpm, **overrides)


def template(provenance: Provenance = Provenance.CAPTURED, tpm_provisioning: TpmMode | None = None) -> TemplateFacts:
    return TemplateFacts("urn:vcloud:vapptemplate:1", "gold-tpl", provenance, tpm_provisioning)


def subject(the_vm: VmFacts | None = None, source: VCenterFacts | None = None, **kwargs) -> Subject:
    return Subject(the_vm or vm(), source, **kwargs)


def plan_input(
    operation: Operation,
    subjects: tuple[Subject, ...] | list[Subject],
    target: VCenterFacts | None = None,
    datastore_url: str | None = None,
    **kwargs,
) -> PlanInput:
    placement = Placement(target or vcenter(), datastore_url)
    return PlanInput(Operation(operation), tuple(subjects), placement, **kwargs)


def secrets_of(*vcenters: VCenterFacts, vms: tuple[VmFacts, ...] = ()) -> set[str]:
    """Everything provider-only about these facts that tenant text must not contain."""
    words = set()
    for vc in vcenters:
        words |= {vc.name, vc.version}
        words |= {kp.name for kp in vc.key_providers}
        words |= {host.name for host in vc.hosts}
        words |= {ds.name for ds in vc.datastores} | {ds.url for ds in vc.datastores}
    for one in vms:
        words |= {w for w in (one.vcenter, one.moref, one.datastore_url, one.key_provider) if w}
    return words


def leaks(texts, secrets: set[str]) -> list[tuple[str, str]]:
    """The (secret, text) pairs where a provider-only word shows up in tenant text."""
    return [(secret, text) for text in texts for secret in secrets if secret in text]
