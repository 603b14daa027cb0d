"""The pyvmomi vTPM recipe without a vCenter: the NVRAM file's name and the encryption policy."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest
from pyVmomi import vim

from tests.adapters.test_backup_files import a_backup
from vcdtpm.adapters.vcenter import spbm, vtpm
from vcdtpm.domain.errors import Invalid


def option(key, value):
    return vim.option.OptionValue(key=key, value=value)


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"name": "renamed", "config.files.vmPathName": "[ds1] web-1/web-1.vmx"}, "web-1.nvram"),
        (
            {
                "name": "renamed",
                "config.files.vmPathName": "[ds1] web-1/web-1.vmx",
                "config.extraConfig": [option("nvram", "custom.nvram")],
            },
            "custom.nvram",
        ),
    ],
)
def test_the_nvram_file_is_named_by_the_vmx_never_by_the_display_name(values, expected):
    assert vtpm.nvram_name(values) == expected


def test_a_vm_without_a_vmx_path_has_no_nvram_file_to_find():
    with pytest.raises(Invalid):
        vtpm.nvram_name({"name": "web-1"})


def _profile(name, uid, namespaces):
    capabilities = [NS(id=NS(namespace=n)) for n in namespaces]
    return NS(name=name, profileId=NS(uniqueId=uid), constraints=NS(subProfiles=[NS(capability=capabilities)]))


def test_the_encryption_policy_is_a_requirement_profile_using_vmwarevmcrypt():
    profiles = [
        _profile("vSAN Default", "p-vsan", ["VSAN"]),
        _profile("VM Encryption Policy", "p-crypt", ["vmwarevmcrypt"]),
    ]
    assert spbm.encryption_policy(profiles) == "p-crypt"
    assert spbm.encryption_policy(profiles[:1]) is None


def test_the_create_spec_assigns_the_encryption_storage_policy():
    spec = vtpm.create_spec(a_backup(), "web-1-restored", "ds1", "vCenter vc-a", "p-crypt")
    assert [p.profileId for p in spec.vmProfile] == ["p-crypt"]


def test_vcenters_own_encryption_policy_is_recognized_by_its_vmcrypt_data_service():
    dataservice, vmcrypt = spbm.VMCRYPT_DATASERVICE
    own = NS(
        name="VM Encryption Policy",
        profileId=NS(uniqueId="p-own"),
        constraints=NS(subProfiles=[NS(capability=[NS(id=NS(namespace=dataservice, id=vmcrypt))])]),
    )
    other = NS(
        name="Replication",
        profileId=NS(uniqueId="p-repl"),
        constraints=NS(subProfiles=[NS(capability=[NS(id=NS(namespace=dataservice, id="another-filter"))])]),
    )
    assert spbm.encryption_policy([other, own]) == "p-own"
    assert spbm.encryption_policy([other]) is None
