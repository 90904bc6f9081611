"""The service's OpenAPI description and a self-contained page that shows it (no assets
from elsewhere: the service may run where nothing outside is reachable)."""

from __future__ import annotations

import html
import json
from functools import cache
from typing import Any

from credit_mlops import __version__

_ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "column": {"type": ["string", "null"], "description": "the column at fault"},
        "request_id": {"type": "string"},
    },
}


@cache
def _applicant() -> dict[str, Any]:
    from credit_mlops.data.schema import COLUMNS

    return {
        "type": "object",
        "description": "One applicant: every column of the data description (German or "
        "English names), as integer codes or values.",
        "properties": {
            c.name: {"type": "integer", "minimum": c.low, "maximum": c.high, "title": c.english}
            for c in COLUMNS
        },
        "required": [c.name for c in COLUMNS],
        "additionalProperties": False,
    }


def _get(summary: str) -> dict[str, Any]:
    return {"get": {"summary": summary, "responses": {"200": {"description": "OK"}}}}


def _decisions_body() -> dict[str, Any]:
    applicant = {"$ref": "#/components/schemas/Applicant"}
    wrapped = {
        "type": "object",
        "properties": {
            "applicants": {"type": "array", "items": applicant},
            "reasons": {"type": "integer"},
        },
    }
    one_of = [applicant, {"type": "array", "items": applicant}, wrapped]
    return {"required": True, "content": {"application/json": {"schema": {"oneOf": one_of}}}}


def _decisions_answer() -> dict[str, Any]:
    decision = {
        "type": "object",
        "properties": {
            "p_bad": {"type": "number"},
            "decision": {"type": "string", "enum": ["accept", "reject"]},
            "score": {"type": "number"},
            "reasons": {"type": "array", "items": {"type": "string"}},
        },
    }
    answer = {
        "type": "object",
        "properties": {
            "request_id": {"type": "string"},
            "model": {"type": "object"},
            "decisions": {"type": "array", "items": decision},
        },
    }
    return {
        "description": "One decision per applicant, in order",
        "content": {"application/json": {"schema": answer}},
    }


def _decisions() -> dict[str, Any]:
    error = {"application/json": {"schema": _ERROR}}
    reasons = {
        "name": "reasons",
        "in": "query",
        "schema": {"type": "integer", "minimum": 0, "maximum": 20},
        "description": "reasons per applicant (default: serve.reasons)",
    }
    return {
        "post": {
            "summary": "Decide on one applicant or a list of them",
            "parameters": [reasons],
            "requestBody": _decisions_body(),
            "responses": {
                "200": _decisions_answer(),
                "400": {"description": "Not JSON", "content": error},
                "401": {"description": "Bearer token missing or wrong"},
                "413": {"description": "Body or list too large", "content": error},
                "415": {"description": "A body that is not UTF-8 JSON", "content": error},
                "422": {"description": "An applicant the model refuses", "content": error},
                "503": {
                    "description": "No model loaded yet, or the decision journal cannot be "
                    "written (no decision is made)",
                    "content": error,
                },
            },
        }
    }


@cache
def openapi() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "credit serve", "version": __version__},
        "paths": {
            "/v1/decisions": _decisions(),
            "/v1/model": _get("What is served: name, version, alias, threshold, costs, since"),
            "/healthz": _get("The process answers"),
            "/readyz": _get(
                "A model is loaded and the journal takes writes (503 if not); a failed new "
                "version is named"
            ),
            "/metrics": _get("Prometheus metrics"),
        },
        "components": {
            "schemas": {"Applicant": _applicant()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def docs_page() -> str:
    spec = openapi()
    items = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            items.append(
                f"<li><code>{method.upper()} {html.escape(path)}</code> — "
                f"{html.escape(op['summary'])}</li>"
            )
    body = html.escape(json.dumps(spec, indent=2))
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>credit serve API</title>"
        "</head><body><h1>credit serve API</h1><ul>"
        + "".join(items)
        + "</ul><p>Machine-readable: <a href='openapi.json'>openapi.json</a></p>"
        f"<details><summary>OpenAPI 3.1</summary><pre>{body}</pre></details></body></html>"
    )
