"""Cloud Director through pyvcloud: tenant reads with the caller's token, provider facts with ours.

Where Cloud Director keeps each fact this adapter reads:

- Tenant objects: GET /api/vApp/vm-{id} (or /api/vAppTemplate/vm-{id} for a template VM),
  /api/vApp/vapp-{id}, /api/vdc/{id}, /api/catalog/{id}, /api/vAppTemplate/vappTemplate-{id}.
  A VM's vTPM is the `TrustedPlatformModule/TpmPresent` element of the Vm (API 37.2+).
- A catalog's VDC: its `CatalogStorageProfiles/VdcStorageProfile`, whose `up` link names the
  VDC (None when the catalog shows no storage profile).
- VM placement, provider only: one `GET /api/query?type=adminVM&format=records` whose filter ORs
  the ids (up to 128 per request): `vc` (the vimServer href, named through
  /api/admin/extension/vimServerReferences, cached), `moref`, `datastoreName`, `firmware`,
  `tpmPresent`. Its `guestOs` is a display name, not the vSphere guest id.
- Every vApp VM at once (the vTPM identity audit): census.py, `type=adminVM` and `type=adminOrgVdc`
  for the provider, `type=vm` with the caller's token for what a caller sees; paged, never per VM.
- VDC placement, provider only: `type=adminOrgVdc` (`vcName`, `providerVdc`), then
  `type=datastoreProviderVdcRelation` filtered by that provider VDC (datastore names).
- Datastore URLs: Cloud Director exposes datastore names and morefs, not their vSphere URLs.
  The `datastore_url_of(vcenter, datastore_name)` callable given at construction resolves
  them (from the vCenters' own facts); without one, `datastore_url` stays None.
- Template provenance: the VAppTemplate itself records nothing of how it was made. vcdtpm
  records it after capturing, uploading or importing one (metadata.py): GENERAL-domain
  metadata `vcdtpm.provenance` (captured | ovf | vcenter_import) and `vcdtpm.tpm-provisioning`
  (copy | replace), read back from GET .../metadata. Cloud Director's own word, where it gives
  one, is `copyTpmOnInstantiate` on the template's `type=vAppTemplate` query record (API 38.0
  and later; absent from the 37.x record types). Without either, the provenance is UNKNOWN.
- Fast cross-vCenter instantiation has no Cloud Director API (no setting, query or feature flag
  names it): the provider states it in vcdtpm's configuration, passed in at construction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from pyvcloud.vcd.client import BasicLoginCredentials, Client

from vcdtpm.adapters.vcd import census, parse, urns
from vcdtpm.adapters.vcd.acting import Actions
from vcdtpm.adapters.vcd.clients import ClientSettings, ProviderClient, TokenCache
from vcdtpm.adapters.vcd.errors import translated
from vcdtpm.adapters.vcd.kept import Kept
from vcdtpm.adapters.vcd.provider import ProviderFacts
from vcdtpm.adapters.vcd.rights import RightsReader
from vcdtpm.domain.errors import NotFound
from vcdtpm.domain.model import VmFacts
from vcdtpm.ports import (
    CatalogRecord,
    CloudDirector,
    PlacedVm,
    Session,
    StepIntent,
    TaskState,
    TemplateRecord,
    VAppRecord,
    VdcLocation,
    VdcRecord,
    VmRecord,
)

SYSTEM_ORG = "system"
T = TypeVar("T")


class VcdAdapter(CloudDirector):
    """The `CloudDirector` port over a real (or simulated) Cloud Director, API 38.1 pinned.

    pyvcloud's request log goes to `log_file`, by default `<data_dir>/vcd_pysdk.log`.
    """

    def __init__(
        self,
        base_url: str,
        provider_user: str,
        provider_password: str,
        *,
        verify_tls: bool = True,
        ca_bundle: str | Path | None = None,
        api_version: str = "38.1",
        data_dir: str | Path = "data",
        log_file: str | Path | None = None,
        session_cache_seconds: float = 30.0,
        datastore_url_of: Callable[[str, str], str | None] | None = None,
        fast_cross_vcenter_instantiation: bool = False,
        facts_cache_seconds: float = 300.0,
    ):
        verify: bool | str = str(ca_bundle) if (verify_tls and ca_bundle) else verify_tls
        log_path = Path(log_file) if log_file else Path(data_dir) / "vcd_pysdk.log"
        self._settings = ClientSettings(base_url, api_version, verify, log_path)
        self._tokens = TokenCache(session_cache_seconds)
        provider_client = ProviderClient(self._settings, provider_user, provider_password)
        # A session's reads of VDCs, catalogs and templates, kept as long as its session is.
        self._reads = Kept(session_cache_seconds)
        self._rights = RightsReader(self._settings, session_cache_seconds)
        self._provider = ProviderFacts(
            provider_client,
            datastore_url_of,
            fast_cross_vcenter_instantiation,
            facts_cache_seconds,
        )
        self._actions = Actions(
            lambda token: self._client_for(token)[0],
            lambda vdc: self._provider.locate_vdc(vdc).vcenter,
            lambda session, catalog: self.get_catalog(session, catalog).vdc,
            provider_client.run,
        )

    # -- sessions -----------------------------------------------------------------------

    def login(self, user: str, org: str, password: str) -> Session:
        client = self._settings.new_client()
        with translated("Session"):
            client.set_credentials(BasicLoginCredentials(user, org, password))
        session = _session_of(client, client.get_access_token())
        self._tokens.put(session.token, client, session)
        return session

    def whoami(self, token: str) -> Session:
        return self._client_for(token)[1]

    def rights(self, session: Session) -> frozenset[str] | None:
        return self._rights.rights(session)

    def _client_for(self, token: str) -> tuple[Client, Session]:
        cached = self._tokens.get(token)
        if cached is not None:
            return cached  # type: ignore[return-value]
        client = self._settings.new_client()
        with translated("Session"):
            client.rehydrate_from_token(token, is_jwt_token=_is_jwt(token))
        session = _session_of(client, token)
        self._tokens.put(token, client, session)
        return client, session

    def _get(self, session: Session, href: str, kind: str, urn: str):
        client = self._client_for(session.token)[0]
        with translated(kind, urn):
            return client.get_resource(href)

    def _api(self, session: Session) -> str:
        return self._client_for(session.token)[0].get_api_uri()

    # -- tenant reads -------------------------------------------------------------------

    def get_vm(self, session: Session, urn: str) -> VmRecord:
        uuid = urns.uuid_of(urn, "vm")
        try:
            vm = self._get(session, urns.href(self._api(session), "vm", uuid), "VM", urn)
        except NotFound:
            vm = self._get(session, urns.href(self._api(session), "template_vm", uuid), "VM", urn)
        parent_href = parse.link(vm, "up")
        parent = self._get(session, parent_href, "VM", urn) if parent_href else None
        parent_urn = urns.from_href(parent_href)
        vapp = parent_urn if parent_urn and ":vapp:" in parent_urn else None
        vdc = urns.from_href(parse.link(parent, "up")) if parent is not None else None
        return VmRecord(facts=parse.vm_facts(vm), vapp=vapp, vdc=vdc)

    def get_vapp(self, session: Session, urn: str) -> VAppRecord:
        uuid = urns.uuid_of(urn, "vapp")
        vapp = self._get(session, urns.href(self._api(session), "vapp", uuid), "vApp", urn)
        return VAppRecord(
            id=urns.make("vapp", uuid),
            name=vapp.get("name"),
            vdc=urns.from_href(parse.link(vapp, "up")) or "",
            vms=parse.children(vapp),
        )

    def _kept(self, session: Session, kind: str, urn: str, read: Callable[[], T]) -> T:
        """What `read` answers, kept per session (by a hash of its token) and object."""
        return self._reads.get((hashlib.sha256(session.token.encode()).hexdigest(), kind, urn.lower()), read)

    def get_vdc(self, session: Session, urn: str) -> VdcRecord:
        return self._kept(session, "vdc", urn, lambda: self._read_vdc(session, urn))

    def _read_vdc(self, session: Session, urn: str) -> VdcRecord:
        uuid = urns.uuid_of(urn, "vdc")
        vdc = self._get(session, urns.href(self._api(session), "vdc", uuid), "VDC", urn)
        org = self._org_name(session, parse.link(vdc, "up"), urn)
        return VdcRecord(id=urns.make("vdc", uuid), name=vdc.get("name"), org=org)

    def get_catalog(self, session: Session, urn: str) -> CatalogRecord:
        return self._kept(session, "catalog", urn, lambda: self._read_catalog(session, urn))

    def _read_catalog(self, session: Session, urn: str) -> CatalogRecord:
        uuid = urns.uuid_of(urn, "catalog")
        catalog = self._get(session, urns.href(self._api(session), "catalog", uuid), "Catalog", urn)
        org = self._org_name(session, parse.link(catalog, "up"), urn)
        return CatalogRecord(
            id=urns.make("catalog", uuid),
            name=catalog.get("name"),
            org=org,
            vdc=self._catalog_vdc(session, catalog, urn),
        )

    def get_template(self, session: Session, urn: str) -> TemplateRecord:
        return self._kept(session, "template", urn, lambda: self._read_template(session, urn))

    def _read_template(self, session: Session, urn: str) -> TemplateRecord:
        uuid = urns.uuid_of(urn, "vapptemplate")
        api = self._api(session)
        template = self._get(session, urns.href(api, "vapptemplate", uuid), "vApp template", urn)
        meta_href = parse.link(template, "down", "application/vnd.vmware.vcloud.metadata+xml")
        meta = parse.metadata(self._get(session, meta_href, "vApp template", urn)) if meta_href else {}
        item_href = parse.link(template, "catalogItem")
        item = self._get(session, item_href, "vApp template", urn) if item_href else None
        catalog = urns.from_href(parse.link(item, "up")) if item is not None else None
        record = self._get(
            session,
            f"{api}/query?type=vAppTemplate&format=records&filter=id=={urns.make('vapptemplate', uuid)}",
            "Query",
            urn,
        )
        return TemplateRecord(
            facts=parse.template_facts(template, meta, parse.copy_tpm_on_instantiate(record)),
            catalog=catalog or "",
            vdc=urns.from_href(parse.link(template, "up")),
        )

    def _org_name(self, session: Session, org_href: str | None, urn: str) -> str:
        if not session.provider or org_href is None:
            return session.org
        return self._get(session, org_href, "Org", urn).get("name")

    def _catalog_vdc(self, session: Session, catalog, urn: str) -> str | None:
        profiles = catalog.find(parse.q("CatalogStorageProfiles"))
        profile = profiles.find(parse.q("VdcStorageProfile")) if profiles is not None else None
        if profile is None:
            return None
        storage = self._get(session, profile.get("href"), "Catalog", urn)
        return urns.from_href(parse.link(storage, "up"))

    # -- provider facts -----------------------------------------------------------------

    def locate_vms(self, urns_: Sequence[str]) -> dict[str, VmFacts]:
        return self._provider.locate_vms(urns_)

    def locate_vdc(self, urn: str) -> VdcLocation:
        return self._provider.locate_vdc(urn)

    def provider_vms(self) -> list[PlacedVm]:
        return self._provider.provider_vms()

    def visible_vms(self, session: Session) -> set[str]:
        """The vApp VMs the caller sees: `type=vm` records with the caller's token (census.py)."""
        client = self._client_for(session.token)[0]
        with translated("Query", "vm"):
            found = census.records(lambda call: call(client), "vm", "VMRecord", census.VAPP_VMS)
            return {urn for r in found if (urn := urns.from_href(r.get("href")))}

    def provider_vcenter_names(self) -> list[str]:
        return self._provider.vcenter_names()

    def fast_cross_vcenter_instantiation(self) -> bool:
        return self._provider.fast_cross_vcenter_instantiation()

    def refresh(self) -> None:
        self._reads.clear()
        self._provider.refresh()

    # -- acting (with the caller's token) -----------------------------------------------

    def start(self, session: Session, kind: str, params: dict, request_id: str) -> str:
        self._reads.clear()  # what a session read may be what this step changes
        return self._actions.start(session, kind, params, request_id)

    def task(self, session: Session, href: str) -> TaskState:
        return self._actions.task(session, href)

    def find_task(self, session: Session, request_id: str, intent: StepIntent | None = None) -> str | None:
        return self._actions.find_task(session, request_id, intent)


def _is_jwt(token: str) -> bool:
    """Bearer access tokens are JWTs (three dot-separated parts); x-vcloud-authorization
    tokens are opaque strings without dots."""
    return token.count(".") == 2


def _session_of(client: Client, token: str) -> Session:
    vcloud_session = client.get_vcloud_session()
    org = vcloud_session.get("org")
    return Session(token=token, org=org, user=vcloud_session.get("user"), provider=org.lower() == SYSTEM_ORG)
