"""One JSON error shape for every failure: {"error": {"code", "message", "request_id"}}."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("qa.app")

HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 408: "request_timeout",
              413: "payload_too_large", 414: "uri_too_long", 415: "unsupported_media_type",
              429: "too_many_requests", 500: "internal_error", 503: "unavailable"}


class ApiError(Exception):
    """A request the API refuses, with a stable machine-readable code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str):
    body = {"error": {"code": code, "message": message, "request_id": g.get("request_id")}}
    return jsonify(body), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = {
            404: "no such endpoint or file",
            405: "method not allowed for this endpoint",
            413: f"request body too large (limit {app.config['MAX_CONTENT_LENGTH']} bytes)",
        }.get(status, exc.description or exc.name)
        response, status = error_response(status, HTTP_CODES.get(status, "http_error"), message)
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response, status

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "internal error; the request id is in the log")
