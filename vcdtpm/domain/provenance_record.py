"""How vcdtpm records a template's provenance as metadata entries, and reads them back.

Cloud Director keeps nothing on a vApp template about how it was made (VAppTemplateType has no
such element), so vcdtpm writes it itself, through Cloud Director's metadata API, right after it
captures, uploads or imports a template. A template without these entries was made outside
vcdtpm: its provenance is unknown.
"""

from __future__ import annotations

from vcdtpm.domain.model import Provenance, TpmMode

PROVENANCE_KEY = "vcdtpm.provenance"  # captured | ovf | vcenter_import
TPM_PROVISIONING_KEY = "vcdtpm.tpm-provisioning"  # copy | replace (captured only)


def entries(provenance: Provenance, tpm_provisioning: TpmMode | None = None) -> dict[str, str]:
    """The metadata entries that record a template's provenance."""
    provenance = Provenance(provenance)
    if provenance is Provenance.UNKNOWN:
        raise ValueError("an unknown provenance is not recorded")
    recorded = {PROVENANCE_KEY: provenance.value}
    if provenance is Provenance.CAPTURED:
        recorded[TPM_PROVISIONING_KEY] = TpmMode(tpm_provisioning or TpmMode.COPY).value
    return recorded


def read(metadata: dict[str, str]) -> tuple[Provenance, TpmMode | None]:
    """(provenance, TPM provisioning) from a template's metadata; UNKNOWN when absent or unreadable."""
    try:
        provenance = Provenance(metadata.get(PROVENANCE_KEY, Provenance.UNKNOWN.value))
    except ValueError:
        return Provenance.UNKNOWN, None
    if provenance is not Provenance.CAPTURED:
        return provenance, None
    try:
        return provenance, TpmMode(metadata.get(TPM_PROVISIONING_KEY, ""))
    except ValueError:
        return provenance, None  # captured without a recorded choice: Cloud Director's default decides
