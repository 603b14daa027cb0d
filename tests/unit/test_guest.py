"""Guest OS ids: family and vTPM support."""

import pytest

from vcdtpm.domain.guest import GuestFamily, classify
from vcdtpm.domain.versions import LINUX_MINIMUM, WINDOWS_MINIMUM

WINDOWS_SUPPORTED = [
    "winLonghornGuest",
    "winLonghorn64Guest",
    "windows7Guest",
    "windows7_64Guest",
    "windows7Server64Guest",
    "windows8Guest",
    "windows8_64Guest",
    "windows8Server64Guest",
    "windows9Guest",
    "windows9_64Guest",
    "windows9Server64Guest",
    "windows11_64Guest",
    "windows12_64Guest",
    "windows2019srv_64Guest",
    "windows2019srvNext_64Guest",
    "windows2022srvNext_64Guest",
    "windowsHyperVGuest",
]
WINDOWS_TOO_OLD = [
    "win31Guest",
    "win95Guest",
    "win98Guest",
    "winMeGuest",
    "winNTGuest",
    "win2000ProGuest",
    "win2000ServGuest",
    "win2000AdvServGuest",
    "winXPHomeGuest",
    "winXPProGuest",
    "winXPPro64Guest",
    "winNetWebGuest",
    "winNetStandardGuest",
    "winNetStandard64Guest",
    "winNetEnterpriseGuest",
    "winNetDatacenter64Guest",
    "winNetBusinessGuest",
    "winVistaGuest",
    "winVista64Guest",
]
LINUX = [
    "ubuntu64Guest",
    "ubuntuGuest",
    "rhel9_64Guest",
    "rhel7Guest",
    "rhel10_64Guest",
    "redhatGuest",
    "centos8_64Guest",
    "centosGuest",
    "debian12_64Guest",
    "debian10Guest",
    "sles15_64Guest",
    "slesGuest",
    "suse64Guest",
    "opensuse64Guest",
    "oracleLinux9_64Guest",
    "oracleLinuxGuest",
    "photon64Guest",
    "vmwarePhoton64Guest",
    "amazonlinux2_64Guest",
    "amazonlinux3_64Guest",
    "otherLinux64Guest",
    "otherLinuxGuest",
    "other5xLinux64Guest",
    "other26xLinuxGuest",
    "other7xLinux64Guest",
    "genericLinuxGuest",
    "rockylinux_64Guest",
    "almalinux_64Guest",
    "fedora64Guest",
    "coreos64Guest",
    "flatcar_64Guest",
    "asianux8_64Guest",
    "mandrivaGuest",
    "mandrakeGuest",
    "turboLinux64Guest",
    "kylinlinux_64Guest",
    "miraclelinux_64Guest",
    "pardus_64Guest",
    "prolinux_64Guest",
    "fusionos_64Guest",
    "nld9Guest",
    "oesGuest",
    "sjdsGuest",
]
UNSUPPORTED = [
    "darwinGuest",
    "darwin23_64Guest",
    "freebsd13_64Guest",
    "freebsdGuest",
    "solaris11_64Guest",
    "solaris10Guest",
    "netware6Guest",
    "os2Guest",
    "dosGuest",
    "otherGuest",
    "otherGuest64",
    "vmkernelGuest",
    "vmkernel8Guest",
    "unixWare7Guest",
    "openServer6Guest",
    "eComStation2Guest",
    "crxPod1Guest",
    "crxSys1Guest",
    "",
    "   ",
]


@pytest.mark.parametrize("guest_id", WINDOWS_SUPPORTED)
def test_windows_7_and_server_2008_onwards_support_a_vtpm(guest_id):
    guest = classify(guest_id)
    assert (guest.family, guest.vtpm_supported) == (GuestFamily.WINDOWS, True)
    assert guest.minimum_vcenter == WINDOWS_MINIMUM


@pytest.mark.parametrize("guest_id", WINDOWS_TOO_OLD)
def test_windows_before_7_and_server_2008_is_windows_without_vtpm_support(guest_id):
    guest = classify(guest_id)
    assert (guest.family, guest.vtpm_supported) == (GuestFamily.WINDOWS, False)
    assert guest.minimum_vcenter is None


@pytest.mark.parametrize("guest_id", LINUX)
def test_linux_distributions_support_a_vtpm(guest_id):
    guest = classify(guest_id)
    assert (guest.family, guest.vtpm_supported) == (GuestFamily.LINUX, True)
    assert guest.minimum_vcenter == LINUX_MINIMUM


@pytest.mark.parametrize("guest_id", UNSUPPORTED)
def test_other_operating_systems_are_unsupported(guest_id):
    guest = classify(guest_id)
    assert (guest.family, guest.vtpm_supported) == (GuestFamily.UNSUPPORTED, False)
    assert guest.minimum_vcenter is None


def test_no_guest_id_at_all_is_unsupported():
    assert classify(None).family is GuestFamily.UNSUPPORTED


@pytest.mark.parametrize(
    "guest_id, label",
    [
        ("winLonghorn64Guest", "Windows Server 2008 (64-bit)"),
        ("windows7Server64Guest", "Windows Server 2008 R2"),
        ("windows8Server64Guest", "Windows Server 2012"),
        ("windows9_64Guest", "Windows 10 (64-bit)"),
        ("windows2019srvNext_64Guest", "Windows Server 2022"),
        ("windows2022srvNext_64Guest", "Windows Server 2025"),
    ],
)
def test_windows_ids_carry_the_release_they_stand_for(guest_id, label):
    assert classify(guest_id).label == label


def test_classification_ignores_case_and_keeps_the_id_as_given():
    guest = classify("WINDOWS2019SRV_64GUEST")
    assert guest.family is GuestFamily.WINDOWS and guest.label == "Windows Server 2019"
    assert guest.guest_id == "WINDOWS2019SRV_64GUEST"


def test_a_future_windows_id_is_treated_as_a_supported_windows():
    guest = classify("windows2025srv_64Guest")
    assert (guest.family, guest.vtpm_supported) == (GuestFamily.WINDOWS, True)
