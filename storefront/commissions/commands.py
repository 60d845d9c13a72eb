"""CLI commands of this domain, added to `flask` by storefront.cli."""
import click
from flask.cli import with_appcontext


@click.group("commissions")
def commissions_group():
    """Made-to-order commissions."""


@commissions_group.command("sweep")
@with_appcontext
def commissions_sweep():
    """Expire quotes past their date (buyer and artisan emailed), flag balances unpaid past the
    cooperative's days for its decision; safe to run as often as you like (cron, every few minutes)."""
    from storefront.orders.commissions import sweep
    summary = sweep()
    click.echo(", ".join(f"{key}: {value}" for key, value in summary.items()))


commands = [commissions_group]
