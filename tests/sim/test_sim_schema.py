"""The simulated vCD checks every request body against the request-schema table, as vCD does."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from tests.sim.test_sim_vcd_http import bearer
from tests.smallcloud import Ids
from vcdtpm.sim.vcd.schema import SchemaViolation, load, validate
from vcdtpm.sim.vcd.schema.table import SECTION

V15 = "http://www.vmware.com/vcloud/v1.5"
VMEXT = "http://www.vmware.com/vcloud/extension/v1.5"
OVF = "http://schemas.dmtf.org/ovf/envelope/1"
ROOT_NS = f'xmlns="{V15}" xmlns:ovf="{OVF}"'
MEDIA = "application/vnd.vmware.vcloud.{}+xml".format
API = "http://vcd.example/api"
VAPP, VM = f"{API}/vApp/vapp-{Ids.web}", f"{API}/vApp/vm-{Ids.web1}"
SPEC = (
    "<VmSpecSection Modified='true'><ovf:Info>spec</ovf:Info><OsType>windows2019srv_64Guest</OsType>"
    "<HardwareVersion>vmx-19</HardwareVersion></VmSpecSection>"
)
IMPORT = f'xmlns="{VMEXT}" xmlns:vcloud="{V15}" name="i"'

# one minimal valid body per request type of the table
MINIMAL = {
    MEDIA("composeVAppParams"): f"<ComposeVAppParams {ROOT_NS} name='a'/>",
    MEDIA("recomposeVAppParams"): f"<RecomposeVAppParams {ROOT_NS}/>",
    MEDIA("cloneVAppParams"): f"<CloneVAppParams {ROOT_NS} name='c'><Source href='{VAPP}'/></CloneVAppParams>",
    MEDIA("moveVAppParams"): f"<MoveVAppParams {ROOT_NS}><Source href='{VAPP}'/></MoveVAppParams>",
    MEDIA("instantiateVAppTemplateParams"): (
        f"<InstantiateVAppTemplateParams {ROOT_NS} name='i'><Source href='{API}/vAppTemplate/x'/>"
        "</InstantiateVAppTemplateParams>"
    ),
    MEDIA("instantiateVmTemplateParams"): f"<InstantiateVmTemplateParams {ROOT_NS} name='v'/>",
    MEDIA("CreateVmParams"): f"<CreateVmParams {ROOT_NS} name='v'><CreateVm name='v'/></CreateVmParams>",
    MEDIA("captureVAppParams"): f"<CaptureVAppParams {ROOT_NS} name='t'><Source href='{VAPP}'/></CaptureVAppParams>",
    MEDIA("TpmSection"): f"<TrustedPlatformModule {ROOT_NS}/>",
    MEDIA("instantiateOvfParams"): f"<InstantiateOvfParams {ROOT_NS} name='o'/>",
    MEDIA("uploadVAppTemplateParams"): f"<UploadVAppTemplateParams {ROOT_NS} name='u'/>",
    "application/vnd.vmware.admin.importVmAsVAppParams+xml": (
        f"<ImportVmAsVAppParams {IMPORT}><VmMoRef>vm-1</VmMoRef><Vdc href='{API}/vdc/x'/></ImportVmAsVAppParams>"
    ),
    "application/vnd.vmware.admin.importVmAsVAppTemplateParams+xml": (
        f"<ImportVmAsVAppTemplateParams {IMPORT}><VmMoRef>vm-1</VmMoRef><Vdc href='{API}/vdc/x'/>"
        "</ImportVmAsVAppTemplateParams>"
    ),
    MEDIA("metadata"): f"<Metadata {ROOT_NS}/>",
}


def refused(body: str, media_type: str, version: str = "38.1") -> SchemaViolation:
    with pytest.raises(SchemaViolation) as caught:
        validate(etree.fromstring(body.encode()), media_type, version)
    return caught.value


def test_every_request_type_of_the_table_has_a_minimal_body_here():
    assert set(MINIMAL) == {t.media_type for t in load().types.values() if t.media_type}


def test_every_type_and_element_cites_its_page_and_every_referenced_type_is_known():
    table = load()
    for typedef in table.types.values():
        assert typedef.page.startswith("https://")
        for particle in typedef.sequence:
            assert particle.page.startswith("https://"), (typedef.name, particle.name)
            known = particle.type.startswith("xs:") or particle.type in table.types or particle.type in table.open_types
            assert particle.name == SECTION or known, (typedef.name, particle.type)


@pytest.mark.parametrize("media_type", sorted(MINIMAL))
def test_a_minimal_valid_body_passes(media_type):
    assert validate(etree.fromstring(MINIMAL[media_type].encode()), media_type, "38.1").media_type == media_type


def test_full_bodies_in_reference_order_pass():
    clone = (
        f"<CloneVAppParams {ROOT_NS} name='c' deploy='false'><Description/><Source href='{VAPP}'/>"
        f"<IsSourceDelete>false</IsSourceDelete><SourcedItem><Source href='{VM}'/>"
        "<VmGeneralParams><Name>n</Name></VmGeneralParams><ReplaceTpm>true</ReplaceTpm></SourcedItem></CloneVAppParams>"
    )
    compose = (
        f"<ComposeVAppParams {ROOT_NS} name='a'><Description/><InstantiationParams><NetworkConfigSection>"
        "<ovf:Info/><anything/></NetworkConfigSection></InstantiationParams>"
        f"<CreateItem name='v'><Description/>{SPEC}<TrustedPlatformModule><TpmPresent>true</TpmPresent>"
        "</TrustedPlatformModule></CreateItem><AllEULAsAccepted>true</AllEULAsAccepted></ComposeVAppParams>"
    )
    capture = (
        f"<CaptureVAppParams {ROOT_NS} name='t'><Source href='{VAPP}'/><CaptureVmParams><Source href='{VM}'/>"
        "</CaptureVmParams><CopyTpmOnInstantiate>false</CopyTpmOnInstantiate></CaptureVAppParams>"
    )
    for body, media in ((clone, "cloneVAppParams"), (compose, "composeVAppParams"), (capture, "captureVAppParams")):
        validate(etree.fromstring(body.encode()), MEDIA(media), "38.1")


def test_replace_tpm_under_clone_vapp_params_is_invalid_content():
    body = f"<CloneVAppParams {ROOT_NS} name='c'><Source href='{VAPP}'/><ReplaceTpm>true</ReplaceTpm></CloneVAppParams>"
    error = refused(body, MEDIA("cloneVAppParams"))
    assert error.element == "ReplaceTpm"
    assert error.message == (
        "cvc-complex-type.2.4.a: Invalid content was found starting with element 'ReplaceTpm'. "
        f'One of \'{{"{V15}":IsSourceDelete, "{V15}":SourcedItem}}\' is expected.'
    )


def test_a_wrong_element_order_is_invalid_content():
    body = f"<CloneVAppParams {ROOT_NS} name='c'><Source href='{VAPP}'/><Description/></CloneVAppParams>"
    error = refused(body, MEDIA("cloneVAppParams"))
    assert error.element == "Description"
    assert error.message.startswith("cvc-complex-type.2.4.a: Invalid content was found starting with element 'Desc")


def test_an_ovf_envelope_in_upload_params_is_unknown_content():
    body = f"<UploadVAppTemplateParams {ROOT_NS} name='u'><ovf:Envelope/></UploadVAppTemplateParams>"
    error = refused(body, MEDIA("uploadVAppTemplateParams"))
    assert error.message == (
        "cvc-complex-type.2.4.a: Invalid content was found starting with element 'ovf:Envelope'. "
        f'One of \'{{"{V15}":VCloudExtension, "{V15}":Description, "{V15}":VdcStorageProfile}}\' is expected.'
    )


def test_an_element_after_the_last_one_expects_nothing():
    body = (
        f"<UploadVAppTemplateParams {ROOT_NS} name='u'><VdcStorageProfile href='{API}/sp'/><ovf:Envelope/>"
        "</UploadVAppTemplateParams>"
    )
    error = refused(body, MEDIA("uploadVAppTemplateParams"))
    assert error.message == (
        "cvc-complex-type.2.4.d: Invalid content was found starting with element 'ovf:Envelope'. "
        "No child element is expected at this point."
    )


def test_missing_required_element_and_attribute_and_a_bad_boolean_are_refused():
    missing = refused(f"<CloneVAppParams {ROOT_NS} name='c'><Description/></CloneVAppParams>", MEDIA("cloneVAppParams"))
    assert missing.message.startswith("cvc-complex-type.2.4.b: The content of element 'CloneVAppParams' is not")
    no_href = refused(f"<MoveVAppParams {ROOT_NS}><Source/></MoveVAppParams>", MEDIA("moveVAppParams"))
    assert no_href.message == "cvc-complex-type.4: Attribute 'href' must appear on element 'Source'."
    flag = refused(
        f"<TrustedPlatformModule {ROOT_NS}><TpmPresent>yes</TpmPresent></TrustedPlatformModule>", MEDIA("TpmSection")
    )
    assert flag.message == "cvc-datatype-valid.1.2.1: 'yes' is not a valid value for 'boolean'."
    attribute = refused(f"<Metadata {ROOT_NS} color='red'/>", MEDIA("metadata"))
    assert attribute.message.startswith("cvc-complex-type.3.2.2: Attribute 'color' is not allowed")


def test_a_root_that_is_not_the_media_types_is_refused():
    unknown = refused(f"<InstantiateVmFromTemplateParams {ROOT_NS}/>", MEDIA("instantiateVmTemplateParams"))
    assert unknown.message == "cvc-elt.1.a: Cannot find the declaration of element 'InstantiateVmFromTemplateParams'."
    other = refused(MINIMAL[MEDIA("cloneVAppParams")], MEDIA("composeVAppParams"))
    assert other.element == "CloneVAppParams" and "unexpected element" in other.message


@pytest.mark.parametrize(
    "media, body, element, version",
    [
        (
            "cloneVAppParams",
            f"<CloneVAppParams {ROOT_NS} name='c'><Source href='{VAPP}'/><SourcedItem><Source href='{VM}'/>"
            "<ReplaceTpm>true</ReplaceTpm></SourcedItem></CloneVAppParams>",
            "ReplaceTpm",
            "37.1",
        ),
        (
            "captureVAppParams",
            f"<CaptureVAppParams {ROOT_NS} name='t'><Source href='{VAPP}'/>"
            "<CopyTpmOnInstantiate>true</CopyTpmOnInstantiate></CaptureVAppParams>",
            "CopyTpmOnInstantiate",
            "37.2",
        ),
        (
            "CreateVmParams",
            f"<CreateVmParams {ROOT_NS} name='v'><CreateVm name='v'>{SPEC}<TrustedPlatformModule/></CreateVm>"
            "</CreateVmParams>",
            "TrustedPlatformModule",
            "37.3",
        ),
    ],
)
def test_an_element_newer_than_the_negotiated_version_is_invalid_content(media, body, element, version):
    error = refused(body, MEDIA(media), version)
    assert error.element == element
    assert error.message.startswith(
        f"cvc-complex-type.2.4.a: Invalid content was found starting with element '{element}'"
    )
    validate(etree.fromstring(body.encode()), MEDIA(media), "38.0")


def test_the_tpm_section_does_not_exist_before_37_2():
    error = refused(MINIMAL[MEDIA("TpmSection")], MEDIA("TpmSection"), "37.1")
    assert error.message == "cvc-elt.1.a: Cannot find the declaration of element 'TrustedPlatformModule'."


# over HTTP


def post(url: str, path: str, body: str, media_type: str | None, version: str = "38.1") -> requests.Response:
    headers = {**bearer(url), "Accept": f"application/*+xml;version={version}"}
    if media_type:
        headers["Content-Type"] = media_type
    return requests.post(url + path, data=body.encode(), headers=headers, timeout=10)


def error_of(response: requests.Response, status: int, minor: str):
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/vnd.vmware.vcloud.error+xml")
    error = etree.fromstring(response.content)
    assert error.tag == f"{{{V15}}}Error"
    assert (error.get("majorErrorCode"), error.get("minorErrorCode")) == (str(status), minor)
    return error.get("message")


def vapp_href(url: str) -> str:
    return f"{url}/api/vApp/vapp-{Ids.web}"


CLONE = f"/api/vdc/{Ids.acme_a}/action/cloneVApp"


def test_http_replace_tpm_under_clone_params_is_vcds_400_and_changes_nothing(fresh_cloud):
    before = len(fresh_cloud.inventory.vapps)
    body = (
        f"<CloneVAppParams {ROOT_NS} name='c'><Source href='{vapp_href(fresh_cloud.url)}'/>"
        "<ReplaceTpm>true</ReplaceTpm></CloneVAppParams>"
    )
    message = error_of(post(fresh_cloud.url, CLONE, body, MEDIA("cloneVAppParams")), 400, "BAD_REQUEST")
    assert message.startswith("cvc-complex-type.2.4.a: Invalid content was found starting with element 'ReplaceTpm'.")
    assert len(fresh_cloud.inventory.vapps) == before and not fresh_cloud.app.tasks.all()


def test_http_a_valid_clone_with_replace_tpm_per_sourced_item_is_accepted(fresh_cloud):
    vm = f"{fresh_cloud.url}/api/vApp/vm-{Ids.web1}"
    body = (
        f"<CloneVAppParams {ROOT_NS} name='c'><Source href='{vapp_href(fresh_cloud.url)}'/>"
        f"<SourcedItem><Source href='{vm}'/><ReplaceTpm>true</ReplaceTpm></SourcedItem></CloneVAppParams>"
    )
    response = post(fresh_cloud.url, CLONE, body, MEDIA("cloneVAppParams"))
    assert response.status_code == 201, response.text  # the new VApp, its running Task under Tasks
    assert "<VApp " in response.text and "<Tasks>" in response.text


@pytest.mark.parametrize("media_type", [None, "application/xml", MEDIA("composeVAppParams")])
def test_http_a_wrong_or_missing_content_type_is_415(fresh_cloud, media_type):
    body = MINIMAL[MEDIA("cloneVAppParams")]
    message = error_of(post(fresh_cloud.url, CLONE, body, media_type), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "application/vnd.vmware.vcloud.cloneVAppParams+xml" in message


def test_http_a_root_other_than_the_media_types_is_400(fresh_cloud):
    body = f"<InstantiateVmFromTemplateParams {ROOT_NS} name='v'/>"
    path = f"/api/vdc/{Ids.acme_a}/action/instantiateVmFromTemplate"
    message = error_of(post(fresh_cloud.url, path, body, MEDIA("instantiateVmTemplateParams")), 400, "BAD_REQUEST")
    assert message == "cvc-elt.1.a: Cannot find the declaration of element 'InstantiateVmFromTemplateParams'."


def test_http_an_unknown_element_and_a_wrong_order_are_400_naming_the_element(fresh_cloud):
    href = vapp_href(fresh_cloud.url)
    for inner, element in (
        (f"<Source href='{href}'/><Colour/>", "Colour"),
        (f"<Source href='{href}'/><Description/>", "Description"),
    ):
        body = f"<CloneVAppParams {ROOT_NS} name='c'>{inner}</CloneVAppParams>"
        message = error_of(post(fresh_cloud.url, CLONE, body, MEDIA("cloneVAppParams")), 400, "BAD_REQUEST")
        assert f"starting with element '{element}'" in message


def test_http_copy_tpm_on_instantiate_at_api_37_0_is_400(fresh_cloud):
    body = (
        f"<CaptureVAppParams {ROOT_NS} name='t'><Source href='{vapp_href(fresh_cloud.url)}'/>"
        "<CopyTpmOnInstantiate>true</CopyTpmOnInstantiate></CaptureVAppParams>"
    )
    path = f"/api/catalog/{Ids.gold}/action/captureVApp"
    message = error_of(post(fresh_cloud.url, path, body, MEDIA("captureVAppParams"), "37.0"), 400, "BAD_REQUEST")
    assert "starting with element 'CopyTpmOnInstantiate'" in message
    assert post(fresh_cloud.url, path, body, MEDIA("captureVAppParams"), "38.0").status_code == 202
