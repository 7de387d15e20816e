"""The Rounds web app: :func:`create_app` wires config, database, sign-in, pages and errors.

The app refuses to start on a database whose schema is not at the migration head, so that a
deploy that forgot ``rounds db upgrade`` fails at once with a clear message instead of with
odd SQL errors on the first page view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from crm.db import INSTANCE_DIR
from crm.users import Role
from dashboard import formatting
from dashboard.config import Config, load_or_create_secret_key
from dashboard.migrate import SchemaOutOfDateError, check_schema

csrf = CSRFProtect()

__all__ = ["SchemaOutOfDateError", "create_app"]


def create_app(
    test_config: Mapping[str, Any] | object | None = None, *, check_schema_on_start: bool = True
) -> Flask:
    """Build the app.

    Parameters
    ----------
    test_config
        A mapping or a config object (e.g. ``TestConfig(url)``) used instead of
        :class:`~dashboard.config.Config`; a mapping is applied on top of ``Config``.
    check_schema_on_start
        Check that the database is at the migration head. The ``rounds`` command line turns
        this off so that ``rounds db upgrade`` can run, and checks in the commands that need it.

    Raises
    ------
    SchemaOutOfDateError
        When the database is behind (or ahead of) the code's migrations.
    """
    app = Flask(__name__, instance_path=str(INSTANCE_DIR.resolve()))
    app.url_map.strict_slashes = False  # "/plans/" typed or bookmarked finds "/plans"
    if test_config is None or isinstance(test_config, Mapping):
        app.config.from_object(Config())
        if test_config is not None:
            app.config.from_mapping(test_config)
    else:
        app.config.from_object(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(INSTANCE_DIR)

    from dashboard import admin, api, auth, crew_views, crm_views, db, errors, main

    database = db.init_app(app)
    csrf.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(crm_views.bp)
    app.register_blueprint(crew_views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(api.bp)
    from dashboard import billing_views, customer_views, estimate_views

    app.register_blueprint(customer_views.bp)
    app.register_blueprint(estimate_views.bp)
    app.register_blueprint(billing_views.bp)
    from dashboard import plan_actions, plan_views

    app.register_blueprint(plan_views.bp)
    app.register_blueprint(plan_actions.bp)
    from dashboard import analytics_views

    app.register_blueprint(analytics_views.bp)
    app.jinja_env.globals["Role"] = Role
    app.jinja_env.filters.update(
        hhmm=formatting.hhmm,
        shifts=formatting.format_shifts,
        days=formatting.format_days,
        money=formatting.money,
        currency=lambda value: formatting.currency(value, app.config.get("CURRENCY_SYMBOL", "$")),
        duration=formatting.minutes_label,
        skill=formatting.skill_label,
    )

    from dashboard.cli import register_commands

    register_commands(app.cli)

    if check_schema_on_start:
        try:
            with database.engine.connect() as connection:
                check_schema(connection)
        except BaseException:
            database.engine.dispose()
            raise
    return app
