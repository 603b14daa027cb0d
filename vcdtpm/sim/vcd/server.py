"""Serve a WSGI app from a background thread with werkzeug's threaded server."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

ACCESS_LOG = "vcdtpm.sim.access"  # the simulator's request lines, apart from the service's logs


class SimRequestHandler(WSGIRequestHandler):
    """werkzeug's handler, its request lines logged under the simulator's own logger (not `werkzeug`),
    without werkzeug's terminal colours."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        line = self.requestline.translate(self._control_char_table)
        logging.getLogger(ACCESS_LOG).info("%s %s %s", line, code, size)

    def log(self, type: str, message: str, *args) -> None:
        level = logging.ERROR if type == "error" else logging.INFO
        logging.getLogger(ACCESS_LOG).log(level, message, *args)


@dataclass
class ServerHandle:
    """A running server: where it listens and how to stop it."""

    url: str
    port: int
    _server: BaseWSGIServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def make_sim_server(app, host: str = "127.0.0.1", port: int = 0) -> BaseWSGIServer:
    """A threaded werkzeug server for a simulator, its access lines under `vcdtpm.sim.access`."""
    return make_server(host, port, app, threaded=True, request_handler=SimRequestHandler)


def serve_in_thread(app, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Start serving `app`; port 0 picks a free port (read it from the handle)."""
    server = make_sim_server(app, host, port)
    thread = threading.Thread(target=server.serve_forever, name=f"wsgi-{server.port}", daemon=True)
    thread.start()
    return ServerHandle(url=f"http://{host}:{server.port}", port=server.port, _server=server, _thread=thread)
