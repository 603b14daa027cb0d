"""Use cases: log in, plan, read a VM's vTPM, provider facts, readiness. Talks to ports only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from vcdtpm.app.identities import TpmIdentities
from vcdtpm.app.operation_request import OperationRequest
from vcdtpm.app.resolve import Resolver, plan_input
from vcdtpm.app.rights_check import caller_rights
from vcdtpm.domain import matrix, planner
from vcdtpm.domain.errors import Forbidden, Unauthorized
from vcdtpm.domain.model import Band, Check, CheckStatus, Datastore, Host, KeyProvider, Operation, Plan, VCenterFacts
from vcdtpm.domain.versions import parse_version
from vcdtpm.ports import CloudDirector, Session, VCenter

WRONG_CREDENTIALS = "Cloud Director refused the login: the user, org or password is wrong."


@dataclass(frozen=True)
class Readiness:
    can_add: bool
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class VmTpm:
    """A VM's vTPM: present, its identity, and whether one could be added now."""

    present: bool
    identity: str | None
    band: Band | None
    readiness: Readiness


@dataclass(frozen=True)
class KeyProviderParity:
    """One key-provider name across vCenters; each holder is the key provider named after its vCenter."""

    name: str
    vcenters: tuple[KeyProvider, ...]
    missing_on: tuple[str, ...]
    everywhere: bool


@dataclass(frozen=True)
class VCenterView:
    """What the provider sees of a vCenter: its facts and the band its version falls in."""

    name: str
    version: str
    band: Band
    key_providers: tuple[KeyProvider, ...]
    clone_tpm_policy: str | None
    datastores: tuple[Datastore, ...]
    hosts: tuple[Host, ...]


class Planning:
    """Sessions, plans and reads: every REST resource but operations and backups is a thin call into these."""

    def __init__(
        self, cloud: CloudDirector, vcenters: Mapping[str, VCenter], observe: Callable[[Plan], None] | None = None
    ):
        self.cloud = cloud
        self.vcenters = dict(vcenters)
        self._observe = observe  # told of every plan made (for monitoring), if given
        self._identities = TpmIdentities(cloud, self.vcenters)
        # Reads of one plan that do not wait for each other go out at once on these threads.
        self.pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="plan-read")

    def _resolver(self, session: Session) -> Resolver:
        return Resolver(self.cloud, self.vcenters, session, self.pool)

    # -- sessions -------------------------------------------------------------
    def login(self, user: str, org: str, password: str) -> Session:
        """A Cloud Director session; a refused login says which credentials are at fault, never which one."""
        try:
            return self.cloud.login(user, org, password)
        except Unauthorized:
            raise Unauthorized(WRONG_CREDENTIALS) from None

    def authenticate(self, token: str | None) -> Session:
        if not token:
            raise Unauthorized()
        return self.cloud.whoami(token)

    # -- plans ----------------------------------------------------------------
    def plan(self, session: Session, request: OperationRequest) -> Plan:
        """A dry run: reads both clouds, changes nothing. The request's fields are checked
        first (`OperationRequest.validate`: what the operation needs, and nothing it does not use),
        before anything is read."""
        request.validate()
        resolver = self._resolver(session)
        inp = plan_input(request, resolver)
        if request.operation is Operation.REPLACE_TPM:  # the plan tells which identity group the VM leaves
            inp = self._identities.with_peers(inp)
        plan = planner.plan(inp)
        rights = caller_rights(self.cloud, session, request, plan)
        warning = (rights.message,) if rights.status is CheckStatus.WARN else ()
        made = replace(plan, checks=(*plan.checks, rights), warnings=(*plan.warnings, *warning))
        if self._observe is not None:
            self._observe(made)
        return made

    def matrix(self) -> list[dict]:
        return matrix.matrix_rows()

    def vm_tpm(self, session: Session, urn: str) -> VmTpm:
        """A VM's vTPM: present, identity, and whether one could be added now."""
        resolver = self._resolver(session)
        vm = resolver.vm(urn)
        readiness = planner.plan(plan_input(OperationRequest(Operation.ADD_TPM, source={"vm": urn}), resolver))
        return VmTpm(
            present=vm.tpm_present,
            identity=vm.tpm_identity if vm.tpm_present else None,
            band=readiness.target_band,
            readiness=Readiness(can_add=readiness.allowed, checks=readiness.checks),
        )

    # -- provider -------------------------------------------------------------
    def _provider(self, session: Session) -> None:
        if not session.provider:
            raise Forbidden()

    def vcenter_facts(self, session: Session, refresh: bool = False) -> list[VCenterFacts]:
        """Each vCenter's facts; `refresh` reads them again now (and forgets Cloud Director's kept
        provider facts) instead of answering what is kept."""
        self._provider(session)
        if refresh:
            self.cloud.refresh()
        return [_facts(self.vcenters[name], refresh) for name in sorted(self.vcenters)]

    def key_provider_parity(self, session: Session) -> list[KeyProviderParity]:
        """Per key-provider name, which vCenters have it and which lack it."""
        facts = self.vcenter_facts(session)
        names = sorted({kp.name for vc in facts for kp in vc.key_providers})
        return [self._parity(name, facts) for name in names]

    @staticmethod
    def _parity(name: str, facts: list[VCenterFacts]) -> KeyProviderParity:
        having = [(vc.name, kp) for vc in facts if (kp := vc.key_provider(name)) is not None]
        return KeyProviderParity(
            name=name,
            vcenters=tuple(replace(kp, name=vc) for vc, kp in having),
            missing_on=tuple(vc.name for vc in facts if vc.key_provider(name) is None),
            everywhere=len(having) == len(facts),
        )

    def describe_vcenter(self, vc: VCenterFacts) -> VCenterView:
        return VCenterView(
            vc.name,
            vc.version,
            parse_version(vc.version).band,
            tuple(vc.key_providers),
            vc.clone_tpm_policy,
            tuple(vc.datastores),
            tuple(vc.hosts),
        )

    # -- health ---------------------------------------------------------------
    def ready(self) -> dict:
        """Whether Cloud Director and every vCenter answer; raises nothing."""
        status = {}
        try:
            self.cloud.provider_vcenter_names()
            status["cloud_director"] = "ok"
        except Exception as exc:
            status["cloud_director"] = f"unavailable: {exc.__class__.__name__}"
        for name, port in sorted(self.vcenters.items()):
            try:
                _facts(port, refresh=True)
                status[name] = "ok"
            except Exception as exc:
                status[name] = f"unavailable: {exc.__class__.__name__}"
        return status


def _facts(port: VCenter, refresh: bool) -> VCenterFacts:
    """A vCenter's facts, read again now when `refresh` and the port keeps them."""
    again = getattr(port, "refresh", None) if refresh else None
    return again() if again is not None else port.facts()
