"""The Flask application factory: API and chat page over one `Service`."""
from __future__ import annotations

import logging
import os
import re
import time
import uuid
from pathlib import Path

from flask import Flask, current_app, g, request

from . import api, web
from .errors import ApiError, register_error_handlers
from .service import Service

ROOT = Path(__file__).resolve().parent.parent
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                                "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
log = logging.getLogger("qa.access")


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(
        INDEX=os.environ.get("QA_INDEX", "index"),
        WEB_DIR=str(ROOT / "web"),
        MAX_CONTENT_LENGTH=16 * 1024,      # bytes of a request body
        MAX_QUESTION_CHARS=500,
        MAX_HISTORY=20,
        MAX_GET_HISTORY=3,                  # GET /ask keeps its URL under MAX_URL_BYTES
        MAX_URL_BYTES=32 * 1024,
        DEFAULT_TOP_K=5,
        MAX_TOP_K=20,
        SERVICE=None,                       # a ready Service (tests share one)
    )
    if test_config:
        app.config.from_mapping(test_config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["qa"] = app.config["SERVICE"] or Service(Path(app.config["INDEX"]))

    register_error_handlers(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(web.bp)
    app.before_request(start_request)
    app.after_request(finish_request)

    from .cli import register_commands
    register_commands(app)
    return app


def start_request() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
    g.started = time.perf_counter()
    limit = current_app.config["MAX_URL_BYTES"]
    env = request.environ
    if len(env.get("PATH_INFO", "")) + len(env.get("QUERY_STRING", "")) > limit:
        raise ApiError(414, "uri_too_long", f"the URL is over {limit} bytes; send long questions with POST")


def finish_request(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if response.mimetype == "application/json":
        response.headers["Cache-Control"] = "no-store"
    ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    log.info("%s %s %d %.1fms index=%s id=%s", request.method, request.path, response.status_code, ms,
             g.get("index_version", "-"), g.get("request_id"))
    return response
