"""Blueprint ``admin``: user accounts, for owners only."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from crm.users import Role
from dashboard import queries
from dashboard.auth import roles_required
from dashboard.db import get_session

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.OWNER)
def users() -> ResponseReturnValue:
    return render_template("admin/users.html", users=queries.users(get_session()))
