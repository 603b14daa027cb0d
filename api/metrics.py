"""GET /metrics: the Prometheus text exposition, for a provider or a scraper holding the metrics token.

Under `vcdtpm serve` (gunicorn workers) every worker's counters are added up from PROMETHEUS_MULTIPROC_DIR
(prometheus-client's multiprocess mode); in a single process the default registry is read. Operations by
status and the journal lag come from the journal at each scrape (vcdtpm.metrics.JournalCollector).
"""

from __future__ import annotations

import hmac
import os
from datetime import UTC, datetime

from flask import Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from api.auth import bearer_token, current_session, use_cases
from vcdtpm.domain.errors import Forbidden
from vcdtpm.metrics import JournalCollector, SharedIdentitiesCollector

METRICS_TOKEN = "METRICS_TOKEN"  # app.config key: the bearer token a scraper may present


def allowed() -> None:
    """The configured metrics token, or else a provider's session; Unauthorized / Forbidden otherwise."""
    expected = current_app.config.get(METRICS_TOKEN)
    offered = bearer_token()
    if expected and offered and hmac.compare_digest(offered.encode(), str(expected).encode()):
        return
    if not current_session().provider:
        raise Forbidden("Metrics are for the provider: a provider token or the metrics token.")


def exposition() -> Response:
    allowed()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    journal = CollectorRegistry(auto_describe=False)
    journal.register(JournalCollector(use_cases().operations.stats, lambda: datetime.now(UTC)))
    journal.register(SharedIdentitiesCollector(use_cases().identities.shared_per_org))
    body = generate_latest(counted) + generate_latest(journal)
    return Response(body, content_type=CONTENT_TYPE_LATEST)
