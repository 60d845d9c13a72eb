"""CLI commands of this domain, added to `flask` by storefront.cli."""
import sys

import click
from flask.cli import with_appcontext


@click.group()
def users():
    """People who log in."""


@users.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "coordinator", "artisan"]))
@click.option("--artisan", "artisan_slug", help="Slug of the artisan profile (role artisan only).")
@with_appcontext
def users_create(username, role, artisan_slug):
    """Create a login; the password is asked for (or read from the first line of stdin)."""
    from sqlalchemy import select

    from storefront.accounts.people import username_taken
    from storefront.accounts.services import audit, create_user
    from storefront.extensions import db
    from storefront.models import Artisan

    artisan = None
    if role == "artisan":
        if not artisan_slug:
            raise click.UsageError("--artisan SLUG is required for an artisan login")
        artisan = db.session.execute(select(Artisan).where(Artisan.slug == artisan_slug)).scalar_one_or_none()
        if artisan is None:
            raise click.ClickException(f"no artisan with slug {artisan_slug!r}")
        if artisan.user is not None:
            raise click.ClickException(
                f"artisan {artisan_slug!r} already has the login {artisan.user.username!r}")
    elif artisan_slug:
        raise click.UsageError("--artisan is only for --role artisan")
    if username_taken(username):
        raise click.ClickException(f"user name {username!r} is taken")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    user = create_user(username, password, role, artisan=artisan)
    db.session.flush()
    audit("user.create", "user", user.id, artisan_id=artisan.id if artisan else None,
          changes={"username": [None, user.username], "role": [None, role]}, note="flask users create")
    db.session.commit()
    click.echo(f"created {role} {user.username}" + (f" for {artisan.slug}" if artisan else ""))


commands = [users]
