"""What every ``rounds`` command shares: user errors as one line, the schema check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar, cast

import click
from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from dashboard.db import get_database
from dashboard.migrate import SchemaOutOfDateError, check_schema

F = TypeVar("F", bound=Callable[..., Any])


def first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextmanager
def translated_errors() -> Iterator[None]:
    """The errors users cause (schema behind, database unreachable, bad revision) as one line."""
    try:
        yield
    except SchemaOutOfDateError as error:
        raise click.ClickException(str(error)) from None
    except (CommandError, RevisionError) as error:
        raise click.ClickException(first_line(error)) from None
    except SQLAlchemyError as error:
        raise click.ClickException(f"database error: {first_line(error)}") from None


def user_errors(f: F) -> F:
    """Decorate a command so that :func:`translated_errors` applies however it is invoked."""

    @wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with translated_errors():
            return f(*args, **kwargs)

    return cast(F, wrapped)


def require_current_schema() -> None:
    """Stop with the ``rounds db upgrade`` hint unless the database is at the head revision."""
    with get_database().engine.connect() as connection:
        check_schema(connection)
