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


def _namespaces(profile) -> set[str]:
    constraints = getattr(profile, "constraints", None)
    found = set()
    for sub in getattr(constraints, "subProfiles", None) or ():
        for capability in sub.capability or ():
            found.add(getattr(capability.id, "namespace", ""))
    return found


def encryption_policy(profiles) -> str | None:
    """The id of the first requirement profile (by name) that encrypts with vmwarevmcrypt."""
    for profile in sorted(profiles, key=lambda p: p.name or ""):
        if CRYPT_NAMESPACE in _namespaces(profile):
            return profile.profileId.uniqueId
    return None


def pbm_content(soap_stub, cookie: str):
    """The SPBM service content on the same vCenter, with the vSphere session's cookie."""
    stub = SoapStubAdapter(
        host=soap_stub.host,
        path="/pbm/sdk",
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
