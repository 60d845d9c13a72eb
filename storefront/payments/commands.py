"""CLI commands of this domain, added to `flask` by storefront.cli."""
import click
from flask.cli import with_appcontext


@click.group("stripe")
def stripe_group():
    """Stripe: repair orders whose webhooks never arrived."""


@stripe_group.command("reconcile")
@click.option("--hours", default=72, show_default=True, help="How far back to list Checkout Sessions.")
@with_appcontext
def stripe_reconcile(hours):
    """List recent Checkout Sessions and fulfil any paid one whose order is not paid yet."""
    from storefront.payments.client import PaymentsNotConfigured, StripeError
    from storefront.payments.reconcile import reconcile
    try:
        summary = reconcile(hours=hours)
    except PaymentsNotConfigured:
        raise click.ClickException("STRIPE_SECRET_KEY is not set") from None
    except StripeError as error:
        raise click.ClickException(f"Stripe: {error.user_message or error}") from None
    click.echo(", ".join(f"{key}: {value}" for key, value in summary.items()))


commands = [stripe_group]
