"""CLI commands of this domain, added to `flask` by storefront.cli."""
import click
from flask import current_app
from flask.cli import with_appcontext


@click.group()
def baseline():
    """Income baselines of the artisans."""


@baseline.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def baseline_import(path):
    """Import a survey CSV: every row or none (see storefront/earnings/baselines.py for the columns)."""
    from storefront.earnings.baselines import import_baselines
    from storefront.earnings.reports import today_local
    from storefront.extensions import db
    with open(path, "rb") as handle:
        data = handle.read()
    # The audit log and the messages' translation need a request; on the command line there is no
    # logged-in user, so the audit actor stays empty.
    with current_app.test_request_context():
        _report(import_baselines(data, today_local()), db)


def _report(result, db):
    if result.encoding != "utf-8":
        click.echo(f"read as {result.encoding}")
    if not result.ok:
        db.session.rollback()
        for error in result.errors:
            click.echo(f"line {error.line}: {error.message}", err=True)
        raise click.ClickException(f"nothing imported: {len(result.errors)} problem(s)")
    click.echo(f"baselines: {result.created} new, {result.updated} changed, {result.unchanged} unchanged")


@click.group()
def impact():
    """The programme's impact report."""


@impact.command("report")
@click.option("--period", default="12m", show_default=True,
              help='"all" (programme to date), "12m", a month "2026-03" or a quarter "2026-Q1".')
@click.option("--lang", type=click.Choice(["es", "en", "fr", "de"]), default="es", show_default=True)
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def impact_report(period, lang, out):
    """Write the impact report as a PDF to OUT (the same figures as the /coop/impact page)."""
    from flask_babel import force_locale
    from storefront.earnings.impact_pdf import render_pdf
    from storefront.earnings.impact_routes import report_context
    with current_app.test_request_context(), force_locale(lang):
        context = report_context(period, lang)
        data = render_pdf(context)
    with open(out, "wb") as handle:
        handle.write(data)
    click.echo(f"{out}: {len(data)} bytes, {context['period_name']}")


commands = [baseline, impact]
