"""CLI commands of this domain, added to `flask` by storefront.cli."""
import click
from flask.cli import with_appcontext


@click.group("holds")
def holds_group():
    """Stock holds of checkouts in progress."""


@holds_group.command("sweep")
@with_appcontext
def holds_sweep():
    """Release holds past their expiry (asking Stripe first whether the order was paid after all)."""
    from storefront.checkout.services import sweep_holds
    summary = sweep_holds()
    click.echo(", ".join(f"{key}: {value}" for key, value in summary.items()))


commands = [holds_group]
