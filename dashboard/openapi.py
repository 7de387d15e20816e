"""The OpenAPI 3.1 description of ``/api``, written by hand as a dict.

A test holds it to the app: every ``/api`` route is described here and every path described
here is a route, and the document validates against the OpenAPI 3.1 schema.
"""

from __future__ import annotations

import copy
from importlib.metadata import PackageNotFoundError, version
from typing import Any

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _wrapped(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": [key], "properties": {key: schema}}


ID = {"type": "integer", "minimum": 1}
NULLABLE_STRING = {"type": ["string", "null"]}
SECONDS = {"type": "integer", "description": "seconds after midnight of the visit's date"}

SCHEMAS: dict[str, Any] = {
    "Error": _wrapped(
        "error",
        {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
        },
    ),
    "Plan": {
        "type": "object",
        "required": ["id", "week_start", "days", "version", "status", "mode", "links"],
        "properties": {
            "id": ID,
            "week_start": {"type": "string", "format": "date", "description": "a Monday"},
            "days": {"type": "integer", "description": "length of the horizon in days"},
            "version": {"type": "integer", "description": "1, 2, ... within the week"},
            "status": {"type": "string", "enum": ["draft", "published", "superseded"]},
            "mode": {"type": "string", "enum": ["optimize", "as_is"]},
            "based_on_id": {"type": ["integer", "null"]},
            "note": NULLABLE_STRING,
            "created_by": NULLABLE_STRING,
            "created_at": {"type": ["string", "null"], "format": "date-time"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "lock_version": {"type": "integer", "description": "changes with every save"},
            "kpis": {
                "type": "object",
                "description": "office only: visits, unplaced, travel_s, distance_m, ...",
            },
            "unplaced": {
                "type": "array",
                "description": "office only, in the plan detail",
                "items": {
                    "type": "object",
                    "properties": {
                        "agreement_id": ID,
                        "week_start": {"type": "string", "format": "date"},
                        "code": {"type": "string"},
                        "reason": {"type": "string"},
                    },
                },
            },
            "links": {
                "type": "object",
                "properties": {"self": {"type": "string"}, "visits": {"type": "string"}},
            },
        },
    },
    "Visit": {
        "type": "object",
        "required": ["id", "date", "crew_id", "sequence", "arrival_s", "start_s", "end_s"],
        "properties": {
            "id": ID,
            "date": {"type": "string", "format": "date"},
            "crew_id": ID,
            "crew": {"type": "string"},
            "sequence": {"type": "integer", "description": "0-based place in the crew-day"},
            "arrival_s": SECONDS,
            "start_s": SECONDS,
            "end_s": SECONDS,
            "travel_s": {"type": "integer", "description": "drive from the previous stop, s"},
            "distance_m": {"type": "integer", "description": "metres from the previous stop"},
            "pinned": {"type": "boolean"},
            "agreement_id": ID,
            "agreement": {"type": "string", "description": "the agreement's external id"},
            "visit_index": {"type": "integer"},
            "service": {"type": "string", "description": "service code of the catalog"},
            "customer": {"type": "string"},
            "site": {
                "type": "object",
                "properties": {
                    "id": ID,
                    "address": {"type": "string"},
                    "lat": {"type": ["number", "null"]},
                    "lon": {"type": ["number", "null"]},
                },
            },
        },
    },
    "Crew": {
        "type": "object",
        "required": ["id", "external_id", "name", "shifts"],
        "properties": {
            "id": ID,
            "external_id": {"type": "string"},
            "name": {"type": "string"},
            "colour": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
            "skills": {"type": "array", "items": {"type": "string"}},
            "region": NULLABLE_STRING,
            "active": {"type": "boolean"},
            "start": _ref("Point"),
            "end": _ref("Point"),
            "shifts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "weekday": {"type": "integer", "minimum": 0, "maximum": 6},
                        "start": {"type": "string", "description": "HH:MM"},
                        "end": {"type": "string", "description": "HH:MM"},
                    },
                },
            },
            "lunch_min": {"type": "integer"},
            "hourly_cost": {"type": ["string", "null"], "description": "office only; decimal"},
            "links": {"type": "object", "properties": {"self": {"type": "string"}}},
        },
    },
    "Point": {
        "type": "object",
        "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
    },
    "Health": {
        "type": "object",
        "required": ["status", "revision", "expected_revision"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "schema_out_of_date"]},
            "revision": NULLABLE_STRING,
            "expected_revision": {"type": "string"},
        },
    },
}

UNAUTHORIZED = _error("not signed in, or the bearer token is unknown or revoked")
FORBIDDEN = _error("the caller's role may not do this (crews: another crew's data)")
PLAN_ID = {"name": "plan_id", "in": "path", "required": True, "schema": ID}
CREW_ID = {"name": "crew_id", "in": "path", "required": True, "schema": ID}
READ_SECURITY = [{"bearer": []}, {"session": []}]

PATHS: dict[str, Any] = {
    "/api/health": {
        "get": {
            "operationId": "health",
            "summary": "Liveness and database schema state",
            "security": [],
            "responses": {
                "200": _json(_ref("Health"), "the app and its schema are current"),
                "503": _json(_ref("Health"), "the database needs `rounds db upgrade`"),
            },
        }
    },
    "/api/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "the OpenAPI document", "content": {JSON: {}}}},
        }
    },
    "/api/plans": {
        "get": {
            "operationId": "listPlans",
            "summary": "Plans, newest first, at most 500 (crews: published plans only)",
            "parameters": [
                {
                    "name": "week",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "ISO week (2026-W49), a date in the week, 'this' or 'next'",
                },
                {
                    "name": "status",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["draft", "published", "superseded"]},
                },
            ],
            "responses": {
                "200": _json(_wrapped("plans", {"type": "array", "items": _ref("Plan")}), "plans"),
                "400": _error("a filter is not valid"),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/plans/{plan_id}": {
        "get": {
            "operationId": "getPlan",
            "summary": "One plan with its KPIs and unplaced visits",
            "parameters": [PLAN_ID],
            "responses": {
                "200": _json(_wrapped("plan", _ref("Plan")), "the plan"),
                "401": UNAUTHORIZED,
                "404": _error("no such plan (crews: or not published)"),
            },
        }
    },
    "/api/plans/{plan_id}/visits": {
        "get": {
            "operationId": "listPlanVisits",
            "summary": "A plan's visits in route order (crews: their own)",
            "parameters": [
                PLAN_ID,
                {"name": "crew_id", "in": "query", "schema": ID},
                {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}},
            ],
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["plan_id", "visits"],
                        "properties": {
                            "plan_id": ID,
                            "visits": {"type": "array", "items": _ref("Visit")},
                        },
                    },
                    "the visits",
                ),
                "400": _error("a filter is not valid"),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": _error("no such plan (crews: or not published)"),
            },
        }
    },
    "/api/plans/{plan_id}/publish": {
        "post": {
            "operationId": "publishPlan",
            "summary": "Publish a draft; the published plan again is a no-op (idempotent)",
            "description": "Needs a bearer token of a dispatcher or owner; session cookies "
            "are refused. Supersedes the week's published plan and queues customer notices.",
            "security": [{"bearer": []}],
            "parameters": [PLAN_ID],
            "requestBody": {
                "required": False,
                "content": {
                    JSON: {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "lock_version": {
                                    "type": "integer",
                                    "description": "refuse (409) if the plan changed since",
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _json(
                    {
                        "type": "object",
                        "required": ["plan", "already_published", "changes"],
                        "properties": {
                            "plan": _ref("Plan"),
                            "already_published": {"type": "boolean"},
                            "changes": {"type": "integer"},
                            "customers_affected": {"type": "integer"},
                        },
                    },
                    "the plan is published",
                ),
                "400": _error("the body is not a JSON object"),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": _error("no such plan"),
                "409": _error("superseded, or changed meanwhile"),
                "415": _error("the body is not JSON"),
            },
        }
    },
    "/api/crews": {
        "get": {
            "operationId": "listCrews",
            "summary": "Crews with their shifts (crews: their own)",
            "responses": {
                "200": _json(_wrapped("crews", {"type": "array", "items": _ref("Crew")}), "crews"),
                "401": UNAUTHORIZED,
            },
        }
    },
    "/api/crews/{crew_id}": {
        "get": {
            "operationId": "getCrew",
            "summary": "One crew",
            "parameters": [CREW_ID],
            "responses": {
                "200": _json(_wrapped("crew", _ref("Crew")), "the crew"),
                "401": UNAUTHORIZED,
                "403": FORBIDDEN,
                "404": _error("no such crew"),
            },
        }
    },
}


def _version() -> str:
    try:
        return version("rounds")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def openapi_document() -> dict[str, Any]:
    """A fresh copy of the document (callers may change it)."""
    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Rounds API",
                "version": _version(),
                "description": "Plans, visits and crews of Rounds. Reads take a signed-in "
                "session or a bearer token (`rounds token create`); writes take a token. Times "
                "of a visit are seconds after midnight of its date on the company's clock; "
                "distances are metres. Errors are `{\"error\": {\"status\", \"message\"}}`.",
            },
            "servers": [{"url": "/"}],
            "security": READ_SECURITY,
            "paths": PATHS,
            "components": {
                "schemas": SCHEMAS,
                "securitySchemes": {
                    "bearer": {"type": "http", "scheme": "bearer"},
                    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                },
            },
        }
    )
