"""The OpenAPI 3 description of the HTTP API (served at /openapi.json)."""
from __future__ import annotations

from . import __version__


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def openapi_document(config, city_names: list[str] | None = None) -> dict:
    """The document; `city_names`: every name /facts?city= accepts for the index served."""
    max_q, max_k, max_h = config["MAX_QUESTION_CHARS"], config["MAX_TOP_K"], config["MAX_HISTORY"]
    max_get_h = config["MAX_GET_HISTORY"]
    from .api import TEXT_PATTERN
    question = {"type": "string", "minLength": 1, "maxLength": max_q, "pattern": TEXT_PATTERN,
                "description": "the question in Japanese, Chinese or English"}
    errors = {"400": _error("invalid input (see error.code)")}
    nullable_str = {"type": ["string", "null"]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "qa: questions about China's blockchain policy articles", "version": __version__,
                 "description": "Answers quote the article (Japanese). Every error has the shape "
                                "{\"error\": {\"code\", \"message\", \"request_id\"}}."},
        "paths": {
            "/ask": {
                "post": {
                    "summary": "Ask a question",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/AskRequest"}}}},
                    "responses": {"200": {"description": "the answer (answer is null when the article is silent)",
                                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AskResponse"}}}},
                                  **errors, "413": _error("body too large"),
                                  "415": _error("body is not JSON")},
                },
                "get": {
                    "summary": "Ask a question (query string)",
                    "parameters": [
                        {"name": "q", "in": "query", "required": True, "schema": question},
                        {"name": "top_k", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": max_k}},
                        {"name": "history", "in": "query", "style": "form", "explode": True,
                         "description": f"earlier questions, at most {max_get_h} (POST takes {max_h})",
                         "schema": {"type": "array", "maxItems": max_get_h, "items": question}},
                    ],
                    "responses": {"200": {"description": "the answer",
                                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AskResponse"}}}},
                                  **errors, "414": _error("URL too long: use POST")},
                },
            },
            "/facts": {"get": {
                "summary": "The facts table, filterable",
                "parameters": [
                    {"name": "city", "in": "query",
                     "schema": {"type": "string", **({"enum": city_names} if city_names else {})},
                     "description": "a city in any language or glyph form the glossary knows; "
                                    "an unknown name is a 400 (unknown_city) that lists the known cities"},
                    {"name": "year", "in": "query", "schema": {"type": "string", "pattern": r"^\d{4}$"}},
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["event", "quantity", "stance"]}},
                ],
                "responses": {"200": {"description": "facts", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["facts", "index_version"],
                    "properties": {"facts": {"type": "array", "items": {"$ref": "#/components/schemas/Fact"}},
                                   "index_version": {"type": "string"}}}}}}, **errors}}},
            "/cities": {"get": {
                "summary": "The cities the corpus covers",
                "responses": {"200": {"description": "cities", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["cities", "index_version"],
                    "properties": {"index_version": {"type": "string"}, "cities": {"type": "array", "items": {
                        "type": "object", "required": ["name", "names", "aliases", "passages", "facts", "stance"],
                        "properties": {"name": {"type": "string", "description": "as the article writes it"},
                                       "names": {"type": "object", "description": "the usual name per language",
                                                 "properties": {lang: {"type": "string"} for lang in ("ja", "zh", "en")}},
                                       "aliases": {"type": "object", "description": "every accepted name per language",
                                                   "properties": {lang: {"type": "array", "items": {"type": "string"}}
                                                                  for lang in ("ja", "zh", "en")}},
                                       "passages": {"type": "integer"},
                                       "facts": {"type": "integer"}, "stance": nullable_str}}}}}}}}}}},
            "/suggestions": {"get": {
                "summary": "Example questions the article answers (drawn from the facts table), in a language",
                "parameters": [{"name": "lang", "in": "query",
                                "schema": {"type": "string", "enum": ["ja", "zh", "en"], "default": "ja"}}],
                "responses": {"200": {"description": "questions", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["suggestions", "lang", "index_version"],
                    "properties": {"suggestions": {"type": "array", "items": {"type": "string"}},
                                   "lang": {"type": "string"}, "index_version": {"type": "string"}}}}}},
                    **errors}}},
            "/healthz": {"get": {
                "summary": "Liveness and the index version served",
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object", "required": ["status", "index_version", "passages", "facts"],
                    "properties": {"status": {"const": "ok"}, "index_version": {"type": "string"},
                                   "passages": {"type": "integer"}, "facts": {"type": "integer"}}}}}}}}},
            "/openapi.json": {"get": {"summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3 document",
                                                            "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": {
            "AskRequest": {"type": "object", "required": ["question"], "additionalProperties": False,
                           "properties": {"question": question,
                                          "history": {"type": "array", "maxItems": max_h, "items": question,
                                                      "description": "earlier questions of the chat, oldest first"},
                                          "top_k": {"type": "integer", "minimum": 1, "maximum": max_k, "default": 5}}},
            "AskResponse": {"type": "object",
                            "required": ["question", "answer", "passages", "facts", "index_version", "took_ms"],
                            "properties": {
                                "question": {"type": "string"},
                                "answer": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Answer"}]},
                                "abstain": {"oneOf": [{"type": "null"}, {
                                    "type": "object", "required": ["reason", "message"],
                                    "properties": {"reason": {"type": "string"}, "message": {"type": "string"}}}]},
                                "passages": {"type": "array", "items": {"$ref": "#/components/schemas/Passage"}},
                                "facts": {"type": "array", "items": {"$ref": "#/components/schemas/Fact"}},
                                "understood": {"type": "object"},
                                "index_version": {"type": "string"},
                                "took_ms": {"type": "number"}}},
            "Answer": {"type": "object", "required": ["text", "city", "passage_id", "confidence", "type"],
                       "properties": {"text": {"type": "string", "description": "the short answer in Japanese, "
                                               "quoted from the article or built from its facts"},
                                      "city": nullable_str,
                                      "passage_id": nullable_str, "confidence": {"type": "number"},
                                      "type": {"type": "string", "description": "when, how_many, which_city, why, "
                                               "what, or the operation (superlative, count, list, timeline, "
                                               "compare, stance, about_article)"},
                                      "op": {"type": "string"}, "answer_type": {"type": "string"},
                                      "date": {"type": "string"}, "value": {"type": "string"},
                                      "count": {"type": "integer"},
                                      "cities": {"type": "array", "items": {"type": "string"}},
                                      "localized": {"$ref": "#/components/schemas/Localized"}}},
            "Localized": {"type": "object", "required": ["lang", "text"],
                          "description": "for an English or Chinese question: the answer rendered exactly in "
                                         "that language from data (dates, numbers with their nouns, glossary "
                                         "names); absent when some part cannot be (then `text` stands alone). "
                                         "Never contains Japanese kana; traditional Chinese for a "
                                         "traditional-Chinese question.",
                          "properties": {"lang": {"enum": ["en", "zh"]}, "text": {"type": "string"},
                                         "lines": {"type": "array", "description": "one per line of a "
                                                   "multi-line answer, with the article's sentence beside it",
                                                   "items": {"type": "object", "required": ["text"],
                                                             "properties": {"text": {"type": "string"},
                                                                            "quote": nullable_str}}}}},
            "Passage": {"type": "object", "required": ["id", "doc", "city", "section", "text", "score"],
                        "properties": {"id": {"type": "string"}, "doc": {"type": "string"}, "city": nullable_str,
                                       "section": nullable_str, "text": {"type": "string"},
                                       "score": {"type": "number"},
                                       "highlights": {"type": "array", "items": {
                                           "type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}}}},
            "Fact": {"type": "object", "required": ["kind", "text", "passage_id"],
                     "properties": {"city": nullable_str, "kind": {"enum": ["event", "quantity", "stance"]},
                                    "text": {"type": "string"}, "passage_id": {"type": "string"},
                                    "date": {"type": "string"}, "date_end": {"type": "string"},
                                    "value": {"type": "string"}, "unit": {"type": "string"},
                                    "qualifier": {"type": "string"}, "object": {"type": "string"},
                                    "doc": {"type": "string"}}},
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "request_id": nullable_str}}}},
        }},
    }
