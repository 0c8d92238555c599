"""The JSON API: /ask, /facts, /cities, /healthz, /openapi.json."""
from __future__ import annotations

import json
import re

from flask import Blueprint, current_app, g, jsonify, request

from .article import city_names, resolve_city
from .errors import ApiError
from .openapi import openapi_document
from .service import Service

bp = Blueprint("api", __name__)

# Text fields: no control characters (C0 but tab/newline/CR, DEL, C1, line/paragraph
# separators, lone surrogates) and at least one character that is not white space.
# The same classes are the OpenAPI `pattern`, so the schema and the server agree.
WHITE_CHARS = "\t\n\r \xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000\ufeff"
FORBIDDEN = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u2028\\u2029"
WHITE = "".join(f"\\u{ord(c):04x}" for c in WHITE_CHARS)
TEXT_PATTERN = f"^[^{FORBIDDEN}]*[^{FORBIDDEN}{WHITE}][^{FORBIDDEN}]*$"
CONTROL = re.compile(f"[{FORBIDDEN}\\ud800-\\udfff]")   # + lone surrogates (JSON "\\ud800"), not valid text
BLANK = re.compile(f"^[{WHITE}]*$")
ASK_FIELDS = {"question", "history", "top_k"}
YEAR = re.compile(r"^\d{4}$")
LANGS = ("ja", "zh", "en")


def get_service() -> Service:
    return current_app.extensions["qa"]


def current_index():
    """The index this request uses (one version for the whole request, named in the log)."""
    index = get_service().index
    g.index_version = index.version
    return index


# ---------------------------------------------------------------- validation

def check_text(value, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ApiError(400, "invalid_type", f"'{field}' must be a string")
    if BLANK.match(value):
        raise ApiError(400, "empty_question" if field == "question" else "invalid_history",
                       f"'{field}' is empty")
    if len(value) > limit:
        raise ApiError(400, "question_too_long" if field == "question" else "invalid_history",
                       f"'{field}' is {len(value)} characters; the limit is {limit}")
    if CONTROL.search(value):
        raise ApiError(400, "invalid_characters", f"'{field}' contains control characters")
    return value.strip(WHITE_CHARS)


def check_top_k(value) -> int:
    if value is None:
        return current_app.config["DEFAULT_TOP_K"]
    if isinstance(value, str) and re.fullmatch(r"\d{1,3}(?:\.0*)?", value):
        value = int(float(value))
    if isinstance(value, float) and value.is_integer():     # JSON Schema: 1.0 is an integer
        value = int(value)
    top = current_app.config["MAX_TOP_K"]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise ApiError(400, "invalid_top_k", f"'top_k' must be an integer from 1 to {top}")
    return value


def check_history(value, limit: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, "invalid_history", "'history' must be a list of earlier questions (strings)")
    if len(value) > limit:
        raise ApiError(400, "invalid_history", f"'history' has {len(value)} items; the limit is {limit}")
    return [check_text(h, "history", current_app.config["MAX_QUESTION_CHARS"]) for h in value]


def json_body() -> dict:
    """The request body as a JSON object, or a clear 4xx."""
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ApiError(415, "unsupported_media_type",
                       "send the question as JSON with 'Content-Type: application/json'")
    raw = request.get_data(cache=True)          # raises 413 past MAX_CONTENT_LENGTH
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_utf8", "the request body is not valid UTF-8") from None
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise ApiError(400, "invalid_json", f"the request body is not valid JSON ({exc.msg})") from None
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    return payload


def ask_arguments() -> tuple[str, list[str], int]:
    limit = current_app.config["MAX_QUESTION_CHARS"]
    if request.method == "GET":
        unknown = set(request.args) - {"q", "history", "top_k"}
        if unknown:
            raise ApiError(400, "unknown_field", f"unknown parameter(s): {', '.join(sorted(unknown))}")
        if "q" not in request.args:
            raise ApiError(400, "missing_question", "give the question as ?q=...")
        return (check_text(request.args["q"], "question", limit),
                check_history(request.args.getlist("history") or None, current_app.config["MAX_GET_HISTORY"]),
                check_top_k(request.args.get("top_k")))
    payload = json_body()
    unknown = set(payload) - ASK_FIELDS
    if unknown:
        raise ApiError(400, "unknown_field", f"unknown field(s): {', '.join(sorted(unknown))}")
    if "question" not in payload:
        raise ApiError(400, "missing_question", "the JSON body needs a 'question' string")
    top_k = payload.get("top_k")
    if isinstance(top_k, str) or ("top_k" in payload and top_k is None):
        raise ApiError(400, "invalid_top_k", "'top_k' must be an integer from 1 to "
                       f"{current_app.config['MAX_TOP_K']}")
    if "history" in payload and payload["history"] is None:
        raise ApiError(400, "invalid_history", "'history' must be a list of earlier questions (strings)")
    return (check_text(payload["question"], "question", limit),
            check_history(payload.get("history"), current_app.config["MAX_HISTORY"]), check_top_k(top_k))


# ---------------------------------------------------------------- endpoints

@bp.route("/ask", methods=["GET", "POST"])
def ask():
    question, history, top_k = ask_arguments()
    body = get_service().ask(question, history, top_k)
    g.index_version = body["index_version"]
    return jsonify(body)


@bp.get("/facts")
def facts():
    unknown = set(request.args) - {"city", "year", "kind"}
    if unknown:
        raise ApiError(400, "unknown_field", f"unknown parameter(s): {', '.join(sorted(unknown))}")
    city, year, kind = request.args.get("city"), request.args.get("year"), request.args.get("kind")
    if year is not None and not YEAR.match(year):
        raise ApiError(400, "invalid_year", "'year' must be four digits, e.g. 2018")
    if kind is not None and kind not in ("event", "quantity", "stance"):
        raise ApiError(400, "invalid_kind", "'kind' must be event, quantity or stance")
    index = current_index()
    if city is not None:
        city = known_city(index, city)
    rows = [f for f in index.facts
            if (city is None or f.city == city)
            and (kind is None or f.kind == kind)
            and (year is None or (f.date and f.date[:4] <= year <= (f.date_end or f.date)[:4]))]
    return jsonify({"facts": [f.to_dict() for f in rows], "index_version": index.version})


def known_city(index, name: str) -> str:
    """The corpus city a name means in any language, or a 400 that names the known cities."""
    city = resolve_city(index, name, get_service().analyzer.to_simplified)
    if city is None:
        names = city_names(index)
        known = "; ".join(" / ".join(dict.fromkeys(n["ja"][:1] + n["zh"][:1] + n["en"][:1])) for n in names.values())
        raise ApiError(400, "unknown_city", f"no city named {name!r} in the articles; known cities: {known}")
    return city


@bp.get("/cities")
def cities():
    index = current_index()
    out = []
    for c, names in city_names(index).items():
        own = index.facts_in.get(c, [])
        out.append({"name": c, "names": {lang: forms[0] for lang, forms in names.items() if forms},
                    "aliases": names, "passages": int(index.city_mask[c].sum()),
                    "facts": len(own), "stance": next((f.text for f in own if f.kind == "stance"), None)})
    return jsonify({"cities": out, "index_version": index.version})


@bp.get("/suggestions")
def suggestions():
    unknown = set(request.args) - {"lang"}
    if unknown:
        raise ApiError(400, "unknown_field", f"unknown parameter(s): {', '.join(sorted(unknown))}")
    lang = request.args.get("lang", "ja")
    if lang not in LANGS:
        raise ApiError(400, "invalid_lang", f"'lang' must be one of {', '.join(LANGS)}")
    questions, version = get_service().suggestions(lang)
    g.index_version = version
    return jsonify({"suggestions": questions, "lang": lang, "index_version": version})


@bp.get("/healthz")
def healthz():
    index = current_index()
    return jsonify({"status": "ok", "index_version": index.version,
                    "passages": len(index.passages), "facts": len(index.facts)})


@bp.get("/openapi.json")
def openapi():
    index = current_index()
    to_traditional = get_service().analyzer.to_traditional
    names = [n for forms in city_names(index).values() for lang in forms.values() for n in lang]
    names = list(dict.fromkeys(names + [to_traditional(n) for n in names]))
    return jsonify(openapi_document(current_app.config, names))
