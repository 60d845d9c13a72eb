"""Registers every domain's CLI commands on the `flask` command."""
import importlib
import subprocess
import sys

import click
from flask.cli import with_appcontext

from storefront.config import REPO_ROOT

DOMAINS = ("accounts", "catalog", "studio", "checkout", "payments", "orders", "earnings", "media",
           "commissions")


@click.group()
def rates():
    """Exchange rates (units of a currency for one MXN)."""


@rates.command("set")
@click.argument("currency")
@click.argument("rate")
@with_appcontext
def rates_set(currency, rate):
    """Record a new rate, e.g. `flask rates set USD 0.0550`."""
    from storefront.pricing import set_rate
    try:
        row = set_rate(currency, rate)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"1 MXN = {row.rate.normalize()} {row.currency} (set {row.set_at:%Y-%m-%d %H:%M} UTC)")


@rates.command("list")
@with_appcontext
def rates_list():
    """Show the rate in use for each currency."""
    from storefront.pricing import latest_rates
    for currency, row in sorted(latest_rates().items()):
        click.echo(f"{currency} {row.rate.normalize()} set {row.set_at:%Y-%m-%d %H:%M} UTC")


@click.command("demo")
@with_appcontext
def demo():
    """Load the demo cooperative (idempotent; refused in production)."""
    from flask import current_app
    from storefront.demo import load_demo
    if current_app.config["ENV"] == "production":
        raise click.ClickException("refusing to load demo data into a production configuration")
    click.echo(load_demo())


@click.command("demo-if-empty")
@with_appcontext
def demo_if_empty():
    """Load the demo data only when there are no artisans yet (used by `make run`)."""
    from flask import current_app
    from sqlalchemy import func, select
    from storefront.extensions import db
    from storefront.models import Artisan
    if current_app.config["ENV"] == "production":
        return
    if db.session.scalar(select(func.count()).select_from(Artisan)) == 0:
        from storefront.demo import load_demo
        click.echo(load_demo())


@click.group()
def translate():
    """Extract, update and compile the message catalogues."""


def _pybabel(*args):
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=REPO_ROOT)
    if result.returncode:
        raise click.ClickException(f"pybabel {args[0]} failed")


CATALOGUE_LOCALES = ("es", "en", "fr", "de")


@translate.command("update")
def translate_update():
    """Extract strings into messages.pot, create missing catalogues and merge the new strings in."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-location",
             "--sort-output", "-o", "translations/messages.pot", ".")
    for locale in CATALOGUE_LOCALES:
        if not (REPO_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").exists():
            _pybabel("init", "-i", "translations/messages.pot", "-d", "translations", "-l", locale)
    # Only the shop's own catalogues: Tsotsil and Tseltal have the studio's strings alone
    # (`flask translate export/import`), and every entry of theirs must cite its source.
    for locale in CATALOGUE_LOCALES:
        _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "-l", locale,
                 "--no-fuzzy-matching", "--ignore-obsolete")
    _fill_source_language()


def _fill_source_language():
    """The English catalogue is the source language: every msgstr is its msgid."""
    from babel.messages.pofile import read_po, write_po
    path = REPO_ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):  # plural: singular and plural forms
            if not any(message.string):
                message.string = message.id
        elif not message.string:
            message.string = message.id
    with path.open("wb") as handle:
        write_po(handle, catalog, width=110)


@translate.command("compile")
def translate_compile():
    """Compile every catalogue to .mo."""
    _pybabel("compile", "-d", "translations")


@translate.command("export")
@click.option("--lang", "language", required=True, help="tzo (Tsotsil) or tzh (Tseltal).")
@click.argument("out", type=click.Path(dir_okay=False))
def translate_export(language, out):
    """Write the studio's strings for LANG to OUT (.po), each with its Spanish text as a guide."""
    from storefront.languages.catalogues import CatalogueRejected, export_catalogue
    try:
        total, translated = export_catalogue(language, out)
    except CatalogueRejected as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{out}: {total} strings of the studio, {translated} already translated in {language}")


@translate.command("import")
@click.option("--lang", "language", required=True, help="tzo (Tsotsil) or tzh (Tseltal).")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def translate_import(language, source):
    """Check SOURCE (a translated .po), merge it into the LANG catalogue and compile it.

    Refused whole, with every problem listed, when a placeholder or a tag differs from the original
    or a translation does not say where it comes from (`# source: ...`).
    """
    from storefront.languages.catalogues import CatalogueRejected, import_catalogue
    try:
        result = import_catalogue(language, source)
    except CatalogueRejected as error:
        raise click.ClickException("nothing imported:\n" + str(error)) from None
    for line in result.skipped:
        click.echo(f"skipped, {line}")
    click.echo(f"{result.imported} translations imported, {result.unchanged} unchanged; compiled")


@click.group()
def backup():
    """Back up and restore the database and the photos (see storefront/backup.py, docs/deployment.md)."""


@backup.command("create")
@click.argument("directory", type=click.Path(file_okay=False))
@with_appcontext
def backup_create(directory):
    """Write telar-backup-<time>.tar.gz (database + MEDIA_ROOT) into DIRECTORY."""
    from storefront.backup import BackupError, create_backup
    try:
        click.echo(create_backup(directory).describe())
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@backup.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database and media now.")
@with_appcontext
def backup_restore(archive, yes):
    """Replace the database and MEDIA_ROOT by those in ARCHIVE (checked before anything changes)."""
    from storefront.backup import BackupError, read_manifest, restore_backup
    try:
        manifest = read_manifest(archive)
        if not yes:
            click.confirm(f"Replace the database and media with the backup of {manifest['created_at']}?",
                          abort=True)
        click.echo("restored " + restore_backup(archive).describe())
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@click.group("outbox")
def outbox():
    """The email outbox: deliver the emails that order actions queued."""


@outbox.command("deliver")
@with_appcontext
def outbox_deliver():
    """Send every email that is due once (retries wait their backoff); for cron."""
    from storefront.mail import deliver_due
    summary = deliver_due()
    click.echo(", ".join(f"{key}: {value}" for key, value in summary.items()))


@outbox.command("work")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between two looks at the outbox.")
@with_appcontext
def outbox_work(interval):
    """Deliver queued emails until stopped (Ctrl-C or SIGTERM); for systemd or a process manager."""
    from storefront.mail import work
    work(interval)


def register(app):
    for command in (rates, demo, demo_if_empty, translate, backup, outbox):
        app.cli.add_command(command)
    for domain in DOMAINS:
        module = importlib.import_module(f"storefront.{domain}.commands")
        for command in module.commands:
            app.cli.add_command(command)
