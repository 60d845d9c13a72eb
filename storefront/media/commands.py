"""CLI commands of this domain, added to `flask` by storefront.cli."""
import click
from flask.cli import with_appcontext


@click.group()
def media():
    """Photo files."""


@media.command("prune")
@click.option("--older-than-hours", default=24, show_default=True, type=click.IntRange(1))
@with_appcontext
def media_prune(older_than_hours):
    """Remove abandoned uploads and photos no garment or portrait uses (pending photos never saved)."""
    from storefront.media.audio import prune_unused_audio
    from storefront.media.uploads import prune_incoming, prune_unused
    seconds = older_than_hours * 3600
    incoming = prune_incoming(seconds)
    photos = prune_unused(seconds)
    recordings = prune_unused_audio(seconds)
    click.echo(f"removed {incoming} abandoned upload files, {photos} unused photos "
               f"and {recordings} unused recordings")


@media.command("derivatives")
@with_appcontext
def media_derivatives():
    """Make the sizes missing for photos already stored (after a new size is added to the pipeline)."""
    from storefront.media.pipeline import complete_derivatives
    originals, written = complete_derivatives()
    click.echo(f"{written} files made for {originals} photos")


commands = [media]
