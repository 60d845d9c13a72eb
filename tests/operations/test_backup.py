"""Restore drill: the cooperative's data and photos come back exactly from `flask backup`.

Runs on the test database in use (SQLite by default: the sqlite3 backup API; on PostgreSQL the same
drill goes through pg_dump/pg_restore).
"""
import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from storefront.backup import MANIFEST, BackupError, create_backup, read_manifest, restore_backup, row_counts
from storefront.demo import textile_image
from storefront.extensions import db
from storefront.media.pipeline import store_image
from storefront.models import Artisan, Product


def _media_digests(root):
    root = Path(root)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def shop(app, make):
    """A small cooperative: one artisan, two garments, one stored photo."""
    with app.app_context():
        artisan = make.artisan(name="María López", slug="maria-lopez")
        make.product(artisan=artisan, title="Huipil de rombos")
        make.product(artisan=artisan, title="Rebozo de añil")
        store_image(textile_image(3, 400, 500))
    return app


def _archive(tmp_path):
    [archive] = (tmp_path / "backups").glob("telar-backup-*.tar.gz")
    return archive


def test_restore_drill_brings_back_rows_and_photos(shop, runner, make, tmp_path):
    media_root = Path(shop.config["MEDIA_ROOT"])
    with shop.app_context():
        rows_before = row_counts()
    photos_before = _media_digests(media_root)
    assert photos_before, "the drill needs photos to restore"

    created = runner.invoke(args=["backup", "create", str(tmp_path / "backups")])
    assert created.exit_code == 0, created.output
    archive = _archive(tmp_path)
    assert str(archive) in created.output

    # Disaster: garments deleted, a stray one added, the photo folder lost.
    with shop.app_context():
        for product in db.session.scalars(select(Product)):
            db.session.delete(product)
        db.session.commit()
        make.artisan(slug="after-backup")
    shutil.rmtree(media_root)

    restored = runner.invoke(args=["backup", "restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output

    with shop.app_context():
        assert row_counts() == rows_before
        titles = sorted(t.title for p in db.session.scalars(select(Product)) for t in p.translations)
        assert titles == ["Huipil de rombos", "Rebozo de añil"]
        assert db.session.scalar(select(Artisan).where(Artisan.slug == "after-backup")) is None
    assert _media_digests(media_root) == photos_before


def test_the_manifest_describes_what_was_saved(shop, tmp_path):
    with shop.app_context():
        summary = create_backup(tmp_path / "backups")
        manifest = read_manifest(summary.path)
        assert manifest["rows"] == row_counts()
    assert manifest["rows"]["products"] == 2 and manifest["rows"]["artisans"] == 1
    assert manifest["media_files"] == len(_media_digests(shop.config["MEDIA_ROOT"]))
    assert manifest["revision"] and manifest["backend"] in ("sqlite", "postgresql")
    assert not list((tmp_path / "backups").glob(".*")), "no partial or temporary files are left behind"


def _rewrite(archive, target, change):
    """Copy `archive` to `target`, letting `change(name, data)` return new bytes (or None to drop)."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else b""
            data = change(member.name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def _spoil_database(name, data):
    return data[:-9] + b"0" * 9 if name.startswith("database") else data


def _with_manifest(manifest_change):
    def change(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest_change(manifest)
        return json.dumps(manifest).encode()
    return change


def _add_member(archive, target, name, data):
    shutil.copy(archive, target)
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            out.addfile(member, source.extractfile(member) if member.isfile() else None)
        info = tarfile.TarInfo(name)
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    return target


@pytest.mark.parametrize("spoil, message", [
    (lambda archive, tmp: tmp / "notes.tar.gz", "no such file"),
    (lambda archive, tmp: (tmp / "junk.tar.gz").write_bytes(b"not an archive") and tmp / "junk.tar.gz",
     "not a Telar backup"),
    (lambda archive, tmp: _rewrite(archive, tmp / "no-manifest.tar.gz",
                                   lambda name, data: None if name == MANIFEST else data),
     "not a Telar backup"),
    (lambda archive, tmp: _rewrite(archive, tmp / "damaged.tar.gz", _spoil_database),
     "damaged"),
    (lambda archive, tmp: _rewrite(archive, tmp / "lost-photo.tar.gz",
                                   lambda name, data: None if name.startswith("media/public/") else data),
     "media files"),
    (lambda archive, tmp: _rewrite(archive, tmp / "other-engine.tar.gz",
                                   _with_manifest(lambda m: m.update(backend="oracle"))),
     "oracle backup"),
    (lambda archive, tmp: _rewrite(archive, tmp / "future.tar.gz",
                                   _with_manifest(lambda m: m.update(format=99))),
     "not supported"),
    (lambda archive, tmp: _add_member(archive, tmp / "escape.tar.gz", "../../escaped.txt", b"owned"),
     "unexpected member"),
    (lambda archive, tmp: _add_member(archive, tmp / "escape2.tar.gz", "media/../../escaped.txt", b"owned"),
     "cannot unpack"),
])
def test_a_bad_archive_is_refused_before_anything_changes(shop, runner, make, tmp_path, spoil, message):
    media_root = Path(shop.config["MEDIA_ROOT"])
    with shop.app_context():
        good = create_backup(tmp_path / "backups").path
        make.artisan(slug="kept")
        rows_before = row_counts()
    photos_before = _media_digests(media_root)
    bad = spoil(good, tmp_path)

    result = runner.invoke(args=["backup", "restore", str(bad), "--yes"])

    assert result.exit_code != 0
    assert message in result.output
    with shop.app_context():
        assert row_counts() == rows_before
    assert _media_digests(media_root) == photos_before
    assert not list(tmp_path.rglob("escaped.txt"))
    assert not list(media_root.parent.glob(".restore-*"))


def test_restore_asks_before_replacing_everything(shop, runner, make, tmp_path):
    with shop.app_context():
        archive = create_backup(tmp_path / "backups").path
        make.artisan(slug="kept")

    result = runner.invoke(args=["backup", "restore", str(archive)], input="n\n")

    assert result.exit_code != 0 and "Aborted" in result.output
    with shop.app_context():
        assert db.session.scalar(select(Artisan).where(Artisan.slug == "kept")) is not None


def test_an_in_memory_database_cannot_be_backed_up(app_config, tmp_path):
    from storefront import create_app
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context(), pytest.raises(BackupError, match="in-memory"):
        create_backup(tmp_path / "backups")


def test_restore_function_reports_what_came_back(shop, tmp_path):
    with shop.app_context():
        archive = create_backup(tmp_path / "backups").path
        summary = restore_backup(archive)
    assert summary.rows["products"] == 2 and summary.media_files > 0
    assert f"{summary.media_files} media files" in summary.describe()
