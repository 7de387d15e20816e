"""Blueprint ``main``: the front door sends each role to its own start page."""

from __future__ import annotations

from flask import Blueprint, redirect
from flask.typing import ResponseReturnValue
from flask_login import login_required

from dashboard.auth import home_url

bp = Blueprint("main", __name__)


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    return redirect(home_url())
