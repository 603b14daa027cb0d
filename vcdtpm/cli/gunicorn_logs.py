"""gunicorn's own log lines (start, workers, signals) as the service's JSON lines."""

from __future__ import annotations

from gunicorn.glogging import Logger

from vcdtpm.logs import Redact, RequestIdFilter, json_formatter


class JsonGunicornLogger(Logger):
    """gunicorn's Logger, its handlers formatting JSON (its access log stays off: the app logs requests)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(json_formatter())
                handler.addFilter(RequestIdFilter())
                handler.addFilter(Redact())
