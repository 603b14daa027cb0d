"""Key-provider checks: a usable default key provider where the VM will run, the same one across vCenters.

Sources: vSphere Security, "Virtual Trusted Platform Module" prerequisites (a key provider, set as
the default); the vSphere Native Key Provider documentation ("Use key provider only with TPM
protected ESXi hosts": such a key provider serves only hosts with a TPM 2.0 chip); the Cloud
Director TPM pages (the key provider must be registered on the target vCenter under the same name).
"""

from __future__ import annotations

from vcdtpm.domain.cases import FAIL, OTHER_VCENTER, PASS, SKIP, VmCase, check, no_tpm, not_across
from vcdtpm.domain.model import Check, Host, KeyProvider, KeyProviderType, Subject, VCenterFacts

_ASK = "Ask your provider to "
_ELSEWHERE = "or choose a VDC backed by another vCenter."


def serves(provider: KeyProvider, hosts: tuple[Host, ...]) -> bool:
    """Whether a key provider can encrypt a vTPM on these hosts (a Native Key Provider restricted
    to TPM-protected hosts serves only hosts with a TPM 2.0 chip)."""
    restricted = provider.type == KeyProviderType.NATIVE and provider.tpm_hosts_only
    return not restricted or any(h.tpm for h in hosts)


def key_provider_problem(vcenter: VCenterFacts, hosts: tuple[Host, ...] | None = None) -> str | None:
    """Why a vCenter cannot encrypt a new vTPM on `hosts` (default: all its hosts), or None."""
    hosts = vcenter.hosts if hosts is None else hosts
    if not vcenter.key_providers:
        return "has no key provider"
    default = vcenter.default_key_provider
    candidates = (default,) if default is not None else vcenter.key_providers
    if any(serves(kp, hosts) for kp in candidates):
        return None
    return (
        "offers only a Native Key Provider restricted to TPM-protected hosts, and none of the hosts "
        "the VM would run on has a TPM 2.0 chip"
    )


def key_provider_configured(case: VmCase) -> Check:
    if not case.will_have_tpm:
        return no_tpm(case, "key_provider_configured")
    problem = key_provider_problem(case.target.vcenter, case.target_hosts)
    if problem is None:
        return check(
            case, "key_provider_configured", PASS, f"{case.where} has a key provider usable on {case.hosts_named}."
        )
    return check(
        case,
        "key_provider_configured",
        FAIL,
        f"{case.where} {problem}; a vTPM needs a key provider to encrypt the VM files.",
        f"{_ASK}configure a key provider (native, standard or trusted) usable on the hosts behind "
        f"the target, or a TPM 2.0 chip in them, {_ELSEWHERE}",
    )


def key_provider_default(case: VmCase) -> Check:
    """vSphere encrypts a new vTPM with the default key provider: key providers without a
    default one cannot give a VM a vTPM."""
    if not case.will_have_tpm:
        return no_tpm(case, "key_provider_default")
    vcenter = case.target.vcenter
    if not vcenter.key_providers:
        return check(case, "key_provider_default", SKIP, f"{case.where} has no key provider at all.")
    if vcenter.default_key_provider is not None:
        return check(case, "key_provider_default", PASS, f"{case.where} has a default key provider.")
    return check(
        case,
        "key_provider_default",
        FAIL,
        f"{case.where} has key providers but none is set as the default; vSphere uses the "
        "default key provider to encrypt a vTPM.",
        f"{_ASK}set one of the key providers of the vCenter backing the target as the default, {_ELSEWHERE}",
    )


def source_key_provider(subject: Subject) -> str | None:
    """The name of the key provider that encrypts a VM, as well as it can be told."""
    if subject.vm.key_provider:
        return subject.vm.key_provider
    source = subject.source
    if source is None:
        return None
    default = source.default_key_provider
    if default is not None:
        return default.name
    return source.key_providers[0].name if len(source.key_providers) == 1 else None


def key_provider_reaches_target(case: VmCase) -> bool:
    """Whether the VM's key provider is registered on the target vCenter by name."""
    name = source_key_provider(case.subject)
    return name is not None and case.target.vcenter.key_provider(name) is not None


def key_provider_on_target(case: VmCase) -> Check:
    skipped = not_across(case, "key_provider_on_target")
    if skipped is not None:
        return skipped
    if key_provider_reaches_target(case):
        return check(
            case,
            "key_provider_on_target",
            PASS,
            f"The key provider that encrypts {case.name} is registered on the target vCenter under the same name.",
        )
    return check(
        case,
        "key_provider_on_target",
        FAIL,
        f"The key provider that encrypts {case.name} is not registered on the target vCenter under the same name.",
        f"{_ASK}register the same key provider, under the same name, on the target vCenter, {OTHER_VCENTER}",
    )
