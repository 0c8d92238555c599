"""`qa serve`: the Flask app under gunicorn (gevent worker of qa/worker.py, preloaded, graceful on SIGTERM)."""
from __future__ import annotations

import json
import logging
import os
import resource
from dataclasses import dataclass

from gunicorn import util
from gunicorn.app.base import BaseApplication

from .app import SECURITY_HEADERS
from .errors import HTTP_CODES

log = logging.getLogger("qa.server")


@dataclass(frozen=True)
class Limits:
    """What one client may hold: connections per worker, seconds to send a request, idle seconds."""
    max_connections: int = 1000        # per worker; one more is answered 503 at once
    request_timeout: float = 10.0      # request line, headers and body, from the first byte (408 after)
    keepalive: int = 5                 # an idle keep-alive connection is closed after this (0: no keep-alive)


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


def write_json_error(sock, status_int: int, reason: str, mesg: str, retry_after: int | None = None) -> None:
    """gunicorn's answer to a request it cannot parse, in the API's JSON error shape."""
    body = json.dumps({"error": {"code": HTTP_CODES.get(status_int, "bad_request"),
                                 "message": f"{reason}: {mesg}", "request_id": None}}).encode("ascii")
    headers = dict(SECURITY_HEADERS, **({"Retry-After": str(retry_after)} if retry_after else {}))
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_json_error      # malformed HTTP never gets an HTML page either


def raise_open_files(needed: int) -> None:
    """Raise this process's (and so the workers') open-file limit towards `needed`."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        log.warning("open-file limit %d is below the %d that the connection limit needs", target, needed)


def worker_options(worker_class: str, limits: Limits, max_body: int) -> dict:
    """gunicorn options for the serving model: `gevent` (the default) or `sync` (the old one, for comparison)."""
    if worker_class == "sync":
        return {"worker_class": "sync", "keepalive": 5}
    from .worker import QAWorker
    return {"worker_class": QAWorker.configured(limits.request_timeout, max_body),
            "worker_connections": limits.max_connections,
            "keepalive": limits.keepalive}


def serve(app, host: str, port: int, workers: int | None = None, limits: Limits = Limits(),
          worker_class: str = "gevent") -> None:
    """Serve until SIGTERM/SIGINT; requests in flight finish (graceful timeout 10 s)."""
    workers = workers or max(2, os.cpu_count() or 1)
    raise_open_files(workers * (limits.max_connections + 200) + 256)
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        **worker_options(worker_class, limits, app.config["MAX_CONTENT_LENGTH"]),
        "preload_app": True,           # dictionaries and index loaded once, shared by workers
        "timeout": 30,                 # a worker busy for longer (no heartbeat) is restarted
        "graceful_timeout": 10,
        "accesslog": None,             # qa.access logs one line per request
        "errorlog": "-",
        "loglevel": "info",
        "limit_request_line": 0,       # the app answers long URLs with a JSON 414 (MAX_URL_BYTES)
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
    }
    GunicornServer(app, options).run()
