"""`qa serve`: the Flask app under gunicorn (sync workers, preloaded, graceful on SIGTERM)."""
from __future__ import annotations

import json
import logging
import os

from gunicorn import util
from gunicorn.app.base import BaseApplication

from .app import SECURITY_HEADERS
from .errors import HTTP_CODES

log = logging.getLogger("qa.server")


class GunicornServer(BaseApplication):
    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's answer to a request it cannot parse, in the API's JSON error shape."""
    body = json.dumps({"error": {"code": HTTP_CODES.get(status_int, "bad_request"),
                                 "message": f"{reason}: {mesg}", "request_id": None}}).encode("ascii")
    headers = "".join(f"{k}: {v}\r\n" for k, v in SECURITY_HEADERS.items())
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n{headers}\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_json_error      # malformed HTTP never gets an HTML page either


def serve(app, host: str, port: int, workers: int | None = None) -> None:
    """Serve until SIGTERM/SIGINT; requests in flight finish (graceful timeout 10 s)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers or max(2, os.cpu_count() or 1),
        "worker_class": "sync",
        "preload_app": True,           # dictionaries and index loaded once, shared by workers
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,             # qa.access logs one line per request
        "errorlog": "-",
        "loglevel": "info",
        "limit_request_line": 0,       # the app answers long URLs with a JSON 414 (MAX_URL_BYTES)
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
    }
    GunicornServer(app, options).run()
