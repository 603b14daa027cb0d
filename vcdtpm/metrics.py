"""Every Prometheus metric vcdtpm exports, defined in one place (prometheus-client).

Counters and histograms are counted where things happen: the API (requests, plans, TPM actions), the
Cloud Director and vCenter adapters (backend requests), the journal (operation state changes). Under
gunicorn, prometheus-client's multiprocess mode adds up every worker's values (PROMETHEUS_MULTIPROC_DIR,
set by `vcdtpm serve` before any worker starts). Operations by status and the journal lag are read from
the journal when /metrics is scraped (`JournalCollector`), so they are the same whichever worker answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger("vcdtpm.metrics")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "vcdtpm_http_requests",
    "HTTP requests answered, by route (the URL rule), method and status",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "vcdtpm_http_request_duration_seconds",
    "Time to answer an HTTP request, by route, method and status",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
PLANS = Counter("vcdtpm_plans", "Plans made, by operation and outcome (allowed or refused)", ["operation", "outcome"])
TPM_ACTIONS = Counter(
    "vcdtpm_tpm_actions",
    "vTPM actions decided in plans (copy, replace, new, none, remove, unknown)",
    ["operation", "action"],
)
OPERATION_CHANGES = Counter(
    "vcdtpm_operation_status_changes", "Operations entering a status (queued, running, succeeded, failed)", ["status"]
)
BACKEND_REQUESTS = Counter(
    "vcdtpm_backend_requests",
    "Requests to Cloud Director and to each vCenter, by outcome (ok, error)",
    ["backend", "outcome"],
)
BACKEND_LATENCY = Histogram(
    "vcdtpm_backend_request_duration_seconds",
    "Time a backend took to answer, per backend",
    ["backend"],
    buckets=LATENCY_BUCKETS,
)


def count_plan(plan) -> None:
    """A plan made (domain.model.Plan): its outcome and each VM's vTPM action."""
    operation = str(getattr(plan.operation, "value", plan.operation))
    PLANS.labels(operation, "allowed" if plan.allowed else "refused").inc()
    for vm in plan.vms:
        TPM_ACTIONS.labels(operation, str(getattr(vm.action, "value", vm.action))).inc()


@contextmanager
def backend_request(backend: str) -> Iterator[None]:
    """Count one request to `backend` and its latency; an exception counts as an error and goes on."""
    start = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        BACKEND_LATENCY.labels(backend).observe(time.perf_counter() - start)
        BACKEND_REQUESTS.labels(backend, outcome).inc()


class JournalCollector(Collector):
    """Operations by status and the journal lag, read from the journal at each scrape.

    `stats` answers ({status: count}, the creation time of the oldest queued or running operation or None).
    """

    def __init__(self, stats: Callable[[], tuple[dict[str, int], datetime | None]], clock: Callable[[], datetime]):
        self._stats, self._clock = stats, clock

    def collect(self):
        counts, oldest = self._stats()
        by_status = GaugeMetricFamily("vcdtpm_operations", "Operations in the journal, by status", labels=["status"])
        for status, count in sorted(counts.items()):
            by_status.add_metric([status], count)
        yield by_status
        lag = 0.0 if oldest is None else max(0.0, (self._clock() - oldest).total_seconds())
        yield GaugeMetricFamily(
            "vcdtpm_journal_lag_seconds", "Age of the oldest operation still queued or running (0: none)", value=lag
        )


class SharedIdentitiesCollector(Collector):
    """Per org, how many vTPM identities its VMs share with another VM (`TpmIdentities.shared_per_org`, a
    census reused for a minute). A backend that does not answer leaves the gauge out of this scrape rather
    than failing /metrics; orgs without a shared identity are not listed."""

    def __init__(self, shared_per_org: Callable[[], dict[str, int]]):
        self._shared_per_org = shared_per_org

    def collect(self):
        try:
            counts = self._shared_per_org()
        except Exception:  # a scrape reports what it can; the backends have their own metrics
            log.warning("shared vTPM identities could not be counted for /metrics", exc_info=True)
            return
        gauge = GaugeMetricFamily(
            "vcdtpm_shared_tpm_identities",
            "vTPM identities an org's VMs share with another VM (copies with the same secrets)",
            labels=["org"],
        )
        for org, count in sorted(counts.items()):
            gauge.add_metric([org], count)
        yield gauge
