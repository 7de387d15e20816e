"""Error pages: JSON ``{"error": {"status", "message"}}`` under ``/api``, HTML elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

CSRF_MESSAGE = (
    "This form has expired or was not sent from this site. Go back, reload the page and try again."
)


def error_response(status: int, message: str) -> ResponseReturnValue:
    """The one shape of an API error."""
    return jsonify(error={"status": status, "message": message}), status


def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _render(status: int, title: str, message: str) -> ResponseReturnValue:
    if _wants_json():
        return error_response(status, message)
    return render_template("error.html", status=status, title=title, message=message), status


def handle_http_exception(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    return _render(status, error.name, error.description or error.name)


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    return _render(400, "Form expired", CSRF_MESSAGE)


def handle_internal_error(error: InternalServerError) -> ResponseReturnValue:
    # Unhandled exceptions arrive here (already logged by Flask) unless they propagate (tests).
    return _render(500, "Something went wrong", "The error has been logged. Please try again.")


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(InternalServerError, handle_internal_error)
    app.register_error_handler(HTTPException, handle_http_exception)
