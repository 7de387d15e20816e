"""Sign-in, sign-out and role checks.

Flask-Login keeps the user id in the (signed, HttpOnly, SameSite=Lax) session cookie. The
ORM ``User`` stays free of Flask: :class:`CurrentUser` is a small detached copy of what the
pages need, so templates never lazy-load from a closed session. The cookie's user id carries
a fingerprint of the password hash, so changing a password signs out every other session.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from crm.users import Role, User
from dashboard.db import get_session
from dashboard.throttle import LoginThrottle

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to see this page."
login_manager.login_message_category = "info"

THROTTLE_KEY = "rounds.login_throttle"
F = TypeVar("F", bound=Callable[..., Any])

# Checked against when the e-mail is unknown, so that a miss takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password")


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as Flask-Login sees it; a plain copy of the ``User`` row."""

    id: int
    email: str
    name: str
    role: Role
    crew_id: int | None
    password_fingerprint: str

    is_authenticated: bool = True
    is_active: bool = True
    is_anonymous: bool = False

    @classmethod
    def from_row(cls, user: User) -> CurrentUser:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            crew_id=user.crew_id,
            password_fingerprint=_fingerprint(user.password_hash),
        )

    def get_id(self) -> str:
        return f"{self.id}.{self.password_fingerprint}"

    def has_role(self, *roles: Role) -> bool:
        """Owners may do everything; others only what one of ``roles`` may."""
        return self.role is Role.OWNER or self.role in roles


@login_manager.user_loader
def load_user(user_id: str) -> CurrentUser | None:
    """Resolve the cookie's id; a changed password or a deactivated user ends the session."""
    raw_id, _, fingerprint = user_id.partition(".")
    if not raw_id.isdigit():
        return None
    user = get_session().get(User, int(raw_id))
    if user is None or not user.active or _fingerprint(user.password_hash) != fingerprint:
        return None
    return CurrentUser.from_row(user)


@login_manager.unauthorized_handler
def unauthorized() -> ResponseReturnValue:
    """JSON 401 for the API, a redirect to the sign-in page otherwise."""
    if request.path.startswith("/api/"):
        return jsonify(error={"status": 401, "message": "sign in first"}), 401
    flash(login_manager.login_message, "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Require a signed-in user with one of ``roles`` (owners always pass); 403 otherwise."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not cast(CurrentUser, current_user).has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapped)

    return decorator


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=200)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])
    remember = BooleanField("Keep me signed in on this computer")


class LogoutForm(FlaskForm):
    """Empty form: signing out is a POST with a CSRF token, so no page can sign you out."""


def _throttle() -> LoginThrottle:
    return cast(LoginThrottle, current_app.extensions[THROTTLE_KEY])


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: ``next`` must not send a user to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_url() -> str:
    """Where a signed-in user lands: the office's plans, or the crew's own page."""
    user = cast(CurrentUser, current_user)
    if user.role is Role.CREW:
        if user.crew_id is None:
            return url_for("crm.no_crew")
        return url_for("crm.crew_detail", crew_id=user.crew_id)
    return url_for("plans.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(home_url())
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        key = (email, request.remote_addr or "")
        wait_s = _throttle().retry_after(key)
        if wait_s > 0:
            minutes = max(1, math.ceil(wait_s / 60))
            flash(
                "Too many failed sign-ins for this e-mail. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
                "error",
            )
            return render_template("auth/login.html", form=form), 429
        user = get_session().scalars(select(User).where(User.email == email)).one_or_none()
        password = form.password.data or ""
        if user is None:
            check_password_hash(_DUMMY_HASH, password)
        elif user.active and user.check_password(password):
            _throttle().reset(key)
            login_user(CurrentUser.from_row(user), remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")) or home_url())
        _throttle().record_failure(key)
        flash("Wrong e-mail or password.", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    if LogoutForm().validate_on_submit():
        logout_user()
        flash("You have been signed out.", "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Register Flask-Login, the throttle and the blueprint on ``app``."""
    login_manager.init_app(app)
    app.extensions[THROTTLE_KEY] = LoginThrottle(
        app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_FAILURE_WINDOW_S"]
    )
    app.jinja_env.globals["LogoutForm"] = LogoutForm
    app.register_blueprint(bp)
