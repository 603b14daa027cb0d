"""vCenter versions: parsing, bands, minimums."""

import pytest

from vcdtpm.domain.errors import Invalid
from vcdtpm.domain.model import Band
from vcdtpm.domain.versions import (
    LINUX_MINIMUM,
    WINDOWS_MINIMUM,
    VCenterVersion,
    at_least,
    band_of,
    lower_band,
    parse_version,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("6.7.0", (6, 7, 0)),
        ("7.0.2", (7, 0, 2)),
        ("7.0.3", (7, 0, 3)),
        ("7.0.3c", (7, 0, 3)),
        ("7.0 U2", (7, 0, 2)),
        ("7.0U3", (7, 0, 3)),
        ("7.0 u1", (7, 0, 1)),
        ("7.0.0 U2", (7, 0, 2)),
        ("7.0 Update 3c", (7, 0, 3)),
        ("8.0", (8, 0, 0)),
        ("8.0.2.00100", (8, 0, 2)),
        (" 8.0.1 ", (8, 0, 1)),
    ],
)
def test_parse_version_reads_dotted_and_update_forms(text, expected):
    assert parse_version(text) == VCenterVersion(*expected)


@pytest.mark.parametrize("text", ["", "8", "eight", "8.x", "v8.0", "7.0 U", "7.0 Update", None, 8.0])
def test_parse_version_rejects_what_is_not_a_version_and_names_the_field(text):
    with pytest.raises(Invalid) as caught:
        parse_version(text, field="vcenters[0].version")
    assert caught.value.field == "vcenters[0].version"


@pytest.mark.parametrize(
    "text, band",
    [
        ("6.5.0", Band.V7),
        ("6.7.0", Band.V7),
        ("7.0.3", Band.V7),
        ("7.0 U3", Band.V7),
        ("8.0", Band.V8),
        ("8.0.2.00100", Band.V8),
        ("9.0.0", Band.V8),
    ],
)
def test_band_of_puts_everything_before_8_0_in_the_7x_band(text, band):
    assert band_of(text) is band
    assert band_of(parse_version(text)) is band


def test_band_of_rejects_a_non_version():
    with pytest.raises(Invalid):
        band_of(8)


@pytest.mark.parametrize(
    "version, label",
    [
        (VCenterVersion(7, 0, 2), "7.0 U2"),
        (VCenterVersion(6, 7, 0), "6.7"),
        (VCenterVersion(8, 0, 3), "8.0 U3"),
    ],
)
def test_label_names_the_update(version, label):
    assert version.label == label


def test_str_is_dotted():
    assert str(VCenterVersion(7, 0, 2)) == "7.0.2"


def test_versions_order_by_major_minor_then_update():
    assert VCenterVersion(7, 0, 3) > VCenterVersion(7, 0, 2) > VCenterVersion(6, 7, 3)
    assert VCenterVersion(8, 0, 0) > VCenterVersion(7, 0, 3)


def test_the_minimums_are_6_7_for_windows_and_7_0_update_2_for_linux():
    assert VCenterVersion(6, 7, 0) == WINDOWS_MINIMUM
    assert VCenterVersion(7, 0, 2) == LINUX_MINIMUM


@pytest.mark.parametrize(
    "version, minimum, expected",
    [
        ("7.0.1", LINUX_MINIMUM, False),
        ("7.0 U2", LINUX_MINIMUM, True),
        ("7.0.2", LINUX_MINIMUM, True),
        ("7.0.3", LINUX_MINIMUM, True),
        ("6.7.0", LINUX_MINIMUM, False),
        ("8.0", LINUX_MINIMUM, True),
        ("6.5.0", WINDOWS_MINIMUM, False),
        ("6.7.0", WINDOWS_MINIMUM, True),
        (VCenterVersion(6, 7, 3), WINDOWS_MINIMUM, True),
    ],
)
def test_at_least_compares_with_a_minimum(version, minimum, expected):
    assert at_least(version, minimum) is expected


@pytest.mark.parametrize(
    "bands, lowest",
    [
        ((Band.V8, Band.V7), Band.V7),
        ((Band.V7, Band.V8), Band.V7),
        ((Band.V8, Band.V8), Band.V8),
        ((None, Band.V8), Band.V8),
        ((Band.V8, None), Band.V8),
        ((None,), None),
        ((), None),
        (("8.x", "7.x"), Band.V7),
    ],
)
def test_lower_band_picks_the_lowest_known_band(bands, lowest):
    assert lower_band(*bands) is lowest
