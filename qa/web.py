"""The chat page: static files from `web/`, nothing else."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("web", __name__)


def web_dir() -> Path:
    return Path(current_app.config["WEB_DIR"])


@bp.get("/")
def index():
    return send_from_directory(web_dir(), "index.html")


@bp.get("/static/<path:name>")
def static(name: str):
    """Files under web/ only; send_from_directory refuses paths that leave it (404)."""
    return send_from_directory(web_dir(), name)
