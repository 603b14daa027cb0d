"""Finding an encryption storage policy through the vSphere Storage Policy (SPBM) API.

A restored vTPM VM needs an encryption storage policy assigned (vSphere Web Services SDK
Programming Guide, "Create an Encryption Storage Policy"; backup and restore of a vTPM VM): a
requirement profile whose capabilities use the `vmwarevmcrypt` namespace. vSphere 6.7 and later
ship one ("VM Encryption Policy").
"""

from __future__ import annotations

from pyVmomi import pbm
from pyVmomi.SoapAdapter import SoapStubAdapter

CRYPT_NAMESPACE = "vmwarevmcrypt"
# vCenter's own "VM Encryption Policy" names the vmcrypt I/O filter as a data-service capability
# (as govmomi's simulator records that policy, pbm/simulator/profiles.go); pyVmomi has no
# PbmQueryIOFiltersFromProfileId to ask the filter's type, so the id is recognized as it is.
VMCRYPT_DATASERVICE = ("com.vmware.storageprofile.dataservice", "ad5a249d-cbc2-43af-9366-694d7664fa52")
ENCRYPTING = frozenset({(CRYPT_NAMESPACE, "*"), VMCRYPT_DATASERVICE})


def _capabilities(profile) -> set[tuple[str, str]]:
    """(namespace, id) of every capability of a profile's sub-profiles; ids under vmwarevmcrypt are
    reduced to "*" (any capability of that namespace encrypts)."""
    constraints = getattr(profile, "constraints", None)
    found = set()
    for sub in getattr(constraints, "subProfiles", None) or ():
        for capability in sub.capability or ():
            namespace = getattr(capability.id, "namespace", "") or ""
            found.add((namespace, "*" if namespace == CRYPT_NAMESPACE else getattr(capability.id, "id", "") or ""))
    return found


def encryption_policy(profiles) -> str | None:
    """The id of the first requirement profile (by name) that encrypts: a capability in the
    vmwarevmcrypt namespace, or the vmcrypt I/O filter's data-service capability."""
    for profile in sorted(profiles, key=lambda p: p.name or ""):
        if _capabilities(profile) & ENCRYPTING:
            return profile.profileId.uniqueId
    return None


def pbm_content(soap_stub, cookie: str):
    """The SPBM service content on the same vCenter, with the vSphere session's cookie."""
    stub = SoapStubAdapter(
        # vCenter's SPBM endpoint is /pbm (govmomi's pbm.Path); the stub's host already carries the port
        url=f"https://{soap_stub.host}/pbm",
        version="pbm.version.version11",
        sslContext=getattr(soap_stub, "schemeArgs", {}).get("context"),
        requestContext={"vcSessionCookie": cookie.split("=", 1)[-1].split(";", 1)[0].strip('"')},
    )
    return pbm.ServiceInstance("ServiceInstance", stub).RetrieveContent()


def find_encryption_policy(soap_stub, cookie: str) -> str | None:
    """The id of an encryption storage policy of this vCenter, or None when it has none."""
    manager = pbm_content(soap_stub, cookie).profileManager
    ids = manager.PbmQueryProfile(
        resourceType=pbm.profile.ResourceType(resourceType="STORAGE"), profileCategory="REQUIREMENT"
    )
    return encryption_policy(manager.PbmRetrieveContent(profileIds=ids)) if ids else None
