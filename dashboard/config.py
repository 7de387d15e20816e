"""Configuration objects: :class:`Config` reads the environment, :class:`TestConfig` does not.

Settings are read when a config object is created (not at import), so tests and the CLI can
change the environment before building an app.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from crm.db import default_database_url
from crm.geocode import PUBLIC_NOMINATIM, URL_ENV


def load_or_create_secret_key(instance_dir: Path) -> str:
    """The key in ``instance_dir/secret_key``, generated (32 random bytes, mode 0600) if missing.

    A server restart must not log everybody out, and a hard-coded default key would let anyone
    forge session cookies; so an unset ``SECRET_KEY`` means "make one and keep it here".
    """
    path = instance_dir / "secret_key"
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if key:
            return key
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Production/development settings from the environment.

    ``SECRET_KEY`` is None when unset: :func:`dashboard.create_app` then loads or generates
    ``instance/secret_key``.
    """

    def __init__(self) -> None:
        self.DATABASE_URL: str = default_database_url()
        self.SECRET_KEY: str | None = os.environ.get("SECRET_KEY") or None
        self.TIMEZONE: str = os.environ.get("TIMEZONE", "America/New_York")
        #: Shown before headline amounts (totals, balances); table cells stay plain numbers.
        self.CURRENCY_SYMBOL: str = os.environ.get("CURRENCY_SYMBOL", "$")
        self.SOLVER_TIME_LIMIT_S: int = int(os.environ.get("SOLVER_TIME_LIMIT_S", "30"))
        #: Nominatim server that finds a new estimate's site from its address (the importer's
        #: ``ROUNDS_NOMINATIM_URL`` when ``GEOCODER_URL`` is unset; else the public server).
        self.GEOCODER_URL: str = (
            os.environ.get("GEOCODER_URL") or os.environ.get(URL_ENV) or PUBLIC_NOMINATIM
        )
        # Set to true behind HTTPS so that cookies never travel in clear text.
        self.SESSION_COOKIE_SECURE: bool = _env_bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_SECURE: bool = self.SESSION_COOKIE_SECURE

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_ENABLED = True
    #: Failed sign-ins allowed per e-mail and client address within the window.
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW_S = 300
    CUSTOMERS_PER_PAGE = 25


class TestConfig(Config):
    """Settings for tests: a given database, a fixed key, no CSRF unless a test turns it on."""

    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.TESTING = True
        self.DATABASE_URL = database_url
        self.SECRET_KEY = "test-secret-key"
        self.WTF_CSRF_ENABLED = False
        self.SOLVER_TIME_LIMIT_S = 2
        # Tests never reach a real geocoder: nothing listens here (tests set a fake server).
        self.GEOCODER_URL = "http://127.0.0.1:9"
