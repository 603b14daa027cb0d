"""Use cases: log in, plan, read a VM's vTPM, provider facts, readiness. Talks to ports only."""

from __future__ import annotations

from collections.abc import Mapping

from vcdtpm.app.operation_request import OperationRequest
from vcdtpm.app.resolve import Resolver, plan_input
from vcdtpm.domain import matrix, planner
from vcdtpm.domain.errors import Forbidden, Unauthorized
from vcdtpm.domain.model import Operation, Plan, VCenterFacts
from vcdtpm.domain.versions import parse_version
from vcdtpm.ports import CloudDirector, Session, VCenter


class Planning:
    """Sessions, plans and reads: every REST resource but operations and backups is a thin call into these."""

    def __init__(self, cloud: CloudDirector, vcenters: Mapping[str, VCenter]):
        self.cloud = cloud
        self.vcenters = dict(vcenters)

    # -- sessions -------------------------------------------------------------
    def login(self, user: str, org: str, password: str) -> Session:
        return self.cloud.login(user, org, password)

    def authenticate(self, token: str | None) -> Session:
        if not token:
            raise Unauthorized()
        return self.cloud.whoami(token)

    # -- plans ----------------------------------------------------------------
    def plan(self, session: Session, request: OperationRequest) -> Plan:
        """A dry run: reads both clouds, changes nothing."""
        resolver = Resolver(self.cloud, self.vcenters, session)
        return planner.plan(plan_input(request, resolver))

    def matrix(self) -> list[dict]:
        return matrix.matrix_rows()

    def vm_tpm(self, session: Session, urn: str) -> dict:
        """A VM's vTPM: present, identity, and whether one could be added now."""
        resolver = Resolver(self.cloud, self.vcenters, session)
        vm = resolver.vm(urn)
        readiness = planner.plan(plan_input(OperationRequest(Operation.ADD_TPM, source={"vm": urn}), resolver))
        return {
            "present": vm.tpm_present,
            "identity": vm.tpm_identity if vm.tpm_present else None,
            "band": readiness.target_band,
            "readiness": {"can_add": readiness.allowed, "checks": readiness.checks},
        }

    # -- provider -------------------------------------------------------------
    def _provider(self, session: Session) -> None:
        if not session.provider:
            raise Forbidden()

    def vcenter_facts(self, session: Session) -> list[VCenterFacts]:
        self._provider(session)
        return [self.vcenters[name].facts() for name in sorted(self.vcenters)]

    def key_provider_parity(self, session: Session) -> list[dict]:
        """Per key-provider name, which vCenters have it and which lack it."""
        facts = self.vcenter_facts(session)
        names = sorted({kp.name for vc in facts for kp in vc.key_providers})
        rows = []
        for name in names:
            having = [vc for vc in facts if vc.key_provider(name)]
            rows.append(
                {
                    "name": name,
                    "vcenters": [
                        {
                            "name": vc.name,
                            "type": vc.key_provider(name).type,
                            "default": vc.key_provider(name).default,
                            "tpm_hosts_only": vc.key_provider(name).tpm_hosts_only,
                        }
                        for vc in having
                    ],
                    "missing_on": [vc.name for vc in facts if not vc.key_provider(name)],
                    "everywhere": len(having) == len(facts),
                }
            )
        return rows

    def describe_vcenter(self, vc: VCenterFacts) -> dict:
        version = parse_version(vc.version)
        return {
            "name": vc.name,
            "version": vc.version,
            "band": version.band,
            "key_providers": vc.key_providers,
            "clone_tpm_policy": vc.clone_tpm_policy,
            "datastores": vc.datastores,
            "hosts": vc.hosts,
        }

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
                port.facts()
                status[name] = "ok"
            except Exception as exc:
                status[name] = f"unavailable: {exc.__class__.__name__}"
        return status
