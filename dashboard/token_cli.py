"""``rounds token create|revoke|list``: bearer tokens of the JSON API.

A token is printed once, when it is created; the database keeps only its hash, so a lost
token is revoked and replaced, never recovered.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from dashboard.api_tokens import TokenError, create_token, list_tokens, revoke_token
from dashboard.cli_support import require_current_schema, user_errors
from dashboard.db import get_database


@click.group("token")
def token_group() -> None:
    """Create, list and revoke API tokens (Authorization: Bearer ...)."""


@token_group.command("create")
@click.option("--user", "email", required=True, help="E-mail of the user the token acts for.")
@click.option("--name", required=True, help="What uses the token, e.g. 'accounting sync'.")
@with_appcontext
@user_errors
def token_create(email: str, name: str) -> None:
    """Create a token for a user and print it (only this once)."""
    require_current_schema()
    with get_database().session_factory.begin() as session:
        try:
            row, token = create_token(session, email, name)
        except TokenError as error:
            raise click.ClickException(str(error)) from None
        role = row.user.role.value
        token_id = row.id
    click.echo(token)
    click.echo(
        f"token {token_id} '{name}' acts as {email.strip().lower()} ({role}); "
        "store it now, it is not shown again",
        err=True,
    )


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
@user_errors
def token_revoke(token_id: int) -> None:
    """Revoke the token with id TOKEN_ID (see `rounds token list`)."""
    require_current_schema()
    with get_database().session_factory.begin() as session:
        try:
            row = revoke_token(session, token_id)
        except TokenError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"token {row.id} '{row.name}' is revoked")


@token_group.command("list")
@with_appcontext
@user_errors
def token_list() -> None:
    """List tokens: id, user, name, created, last used, revoked."""
    require_current_schema()
    with get_database().session_factory() as session:
        rows = list_tokens(session)
        if not rows:
            click.echo("no API tokens")
        for row in rows:
            used = row.last_used_at.strftime("%Y-%m-%d %H:%M") if row.last_used_at else "never"
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            click.echo(
                f"{row.id:>4}  {row.user.email:<30} {row.name:<24} "
                f"created {row.created_at:%Y-%m-%d}  used {used}  {state}"
            )
