"""Blueprint ``api`` (``/api``): JSON endpoints; errors here are JSON too (see ``errors``)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from dashboard.db import get_session
from dashboard.migrate import head_revision, revision_of

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/health")
def health() -> ResponseReturnValue:
    """Liveness and schema state for load balancers and monitoring; needs no sign-in."""
    revision = revision_of(get_session().connection())
    expected = head_revision()
    ok = revision == expected
    body = {
        "status": "ok" if ok else "schema_out_of_date",
        "revision": revision,
        "expected_revision": expected,
    }
    return jsonify(body), 200 if ok else 503
