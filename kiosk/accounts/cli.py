"""``flask --app kiosk users …``: curator accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..extensions import db
from ..models import Role
from . import users

user_commands = AppGroup("users", help="Create, list and remove curator accounts.")


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    """Ask twice at a terminal; read one line when the password is piped in (scripts, set-up tools)."""
    if _stdin_is_terminal():
        return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def _apply(change) -> None:
    """Run an account change and commit it, or explain the refusal and exit with status 1."""
    try:
        change()
        db.session.commit()
    except users.AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error


@user_commands.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.EDITOR.value,
    show_default=True,
    help="editor: edits content; admin: also changes settings.",
)
def create(username: str, role: str) -> None:
    """Create an account; asks for its password."""
    if users.find(username) is not None:
        raise click.ClickException(f"There is already an account called {username}.")
    password = _read_password()
    _apply(lambda: users.create_user(username, password, Role(role)))
    click.echo(f"Created {role} account {username}.")


@user_commands.command("set-password")
@click.argument("username")
def set_password(username: str) -> None:
    """Give an account a new password (this signs it out everywhere)."""
    if users.find(username) is None:
        raise click.ClickException(f"There is no account called {username}.")
    password = _read_password()
    _apply(lambda: users.set_password(username, password))
    click.echo(f"New password set for {username}; its old sessions have ended.")


@user_commands.command("list")
def list_users() -> None:
    """Show every account with its role and last sign-in."""
    found = users.list_users()
    if not found:
        click.echo("No accounts yet. Create one with: flask --app kiosk users create NAME")
        return
    for user in found:
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never signed in"
        click.echo(f"{user.username}\t{user.role.value}\t{last}")


@user_commands.command("delete")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(username: str, yes: bool) -> None:
    """Delete an account (its audit history stays)."""
    if users.find(username) is None:
        raise click.ClickException(f"There is no account called {username}.")
    if not yes:
        click.confirm(f"Delete the account {username}?", abort=True)
    _apply(lambda: users.delete_user(username))
    click.echo(f"Deleted the account {username}.")
