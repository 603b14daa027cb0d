"""Every answer a tenant (or anyone without a provider session) gets is scanned for what only the provider may know:
the world's vCenter, host, key-provider and datastore names, and any address of Cloud Director or a vCenter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import g, request, request_finished

from vcdtpm.sim.vcenter import simulated_vcenters
from vcdtpm.sim.world.loader import demo_world

# readiness answers are the health checks' own subject (their tests say what each caller sees)
NOT_SCANNED = ("/readyz", "/livez", "/healthz", "/metrics", "/openapi.yaml", "/docs")


def provider_names() -> re.Pattern:
    names: set[str] = set()
    for port in simulated_vcenters(demo_world()).values():
        facts = port.facts()
        names |= {facts.name, *(h.name for h in facts.hosts), *(k.name for k in facts.key_providers)}
        names |= {d.name for d in facts.datastores}
    words = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    # a provider name as a word of its own, or the address the simulated Cloud Director and vCenters listen on
    return re.compile(rf"(?<![\w-])(?:{words})(?![\w-])|127\.0\.0\.1|\blocalhost\b")


@dataclass
class TenantAnswers:
    """Answers recorded while a test runs, and what in them only the provider may see."""

    pattern: re.Pattern = field(default_factory=provider_names)
    scanned: int = 0
    leaks: list[str] = field(default_factory=list)

    def record(self, sender, response, **_extra) -> None:
        if request.path.startswith(NOT_SCANNED) or response.direct_passthrough:
            return
        session = g.get("session")
        if session is not None and session.provider:
            return
        text = response.get_data(as_text=True) + " " + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        self.scanned += 1
        for found in self.pattern.finditer(text):
            context = text[max(0, found.start() - 60) : found.end() + 60]
            self.leaks.append(f"{request.method} {request.path} -> {response.status_code}: ...{context}...")

    def __enter__(self) -> TenantAnswers:
        request_finished.connect(self.record)
        return self

    def __exit__(self, *exc) -> None:
        request_finished.disconnect(self.record)
