"""Backups of the database and the photos, and their restore (`flask backup create|restore`).

One archive `telar-backup-<UTC time>.tar.gz` holds:
- `manifest.json`: when, which database engine, the migration revision, row counts per table,
  the number of media files and the SHA-256 of the database member;
- `database.sqlite3` (SQLite, copied with sqlite3's online backup API, consistent while the shop runs)
  or `database.dump` (PostgreSQL, `pg_dump --format=custom`, a consistent snapshot);
- `media/…`: everything under MEDIA_ROOT (originals and derivatives).
The database is copied BEFORE the photos: photos are only ever added under new names, so every
photo the copied database names is in the archive.

Restore checks the whole archive before touching anything, then replaces the database and swaps
MEDIA_ROOT for the archived one. PostgreSQL restores need `pg_restore` and a role that owns the
`public` schema.
"""
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import make_url

from storefront.extensions import db

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.dump"
MEDIA_PREFIX = "media"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why (nothing was changed)."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    backend: str
    revision: str | None
    rows: dict
    media_files: int

    def describe(self):
        total = sum(self.rows.values())
        return (f"{self.path}: {self.backend} database at revision {self.revision}, {total} rows in "
                f"{len(self.rows)} tables, {self.media_files} media files")


# --- helpers ---------------------------------------------------------------------------------

def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _backend():
    return _url().get_backend_name()


def _sqlite_path():
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url):
    """Arguments and environment for pg_dump/pg_restore: the password travels in PGPASSWORD, not argv."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _run(command, env):
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[:500]}")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def row_counts():
    """Rows per table of the current database (to compare a restore with its backup)."""
    names = sorted(inspect(db.engine).get_table_names())
    return {name: db.session.scalar(select(func.count()).select_from(table(name))) for name in names}


def _revision():
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # noqa: BLE001 - a database never migrated has no revision table
        db.session.rollback()
        return None


def _media_files(root):
    return sorted(p for p in Path(root).rglob("*") if p.is_file()) if Path(root).exists() else []


# --- create ----------------------------------------------------------------------------------

def _dump_database(workdir):
    if _backend() == "sqlite":
        target = workdir / SQLITE_MEMBER
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    target = workdir / POSTGRES_MEMBER
    conninfo, env = _libpq(_url())
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", conninfo], env)
    return target


def create_backup(directory) -> BackupSummary:
    """Write a backup archive of the database and MEDIA_ROOT into `directory`; returns its summary."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    archive = directory / f"telar-backup-{stamp}.tar.gz"
    rows, revision = row_counts(), _revision()
    db.session.remove()
    media_root = Path(current_app.config["MEDIA_ROOT"])
    with tempfile.TemporaryDirectory(dir=directory, prefix=".backup-") as work:
        dump = _dump_database(Path(work))
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "backend": _backend(),
            "revision": revision,
            "rows": rows,
            "database_member": dump.name,
            "database_sha256": _sha256(dump),
            "media_files": len(media),
        }
        partial = directory / f".{archive.name}.partial"
        try:
            with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
                data = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime = len(data), int(datetime.now(timezone.utc).timestamp())
                tar.addfile(info, io.BytesIO(data))
                tar.add(dump, arcname=dump.name)
                for path in media:
                    tar.add(path, arcname=f"{MEDIA_PREFIX}/{path.relative_to(media_root).as_posix()}")
            os.replace(partial, archive)  # a crash half-way never leaves a file that looks complete
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(archive, manifest["backend"], revision, rows, len(media))


# --- restore ---------------------------------------------------------------------------------

def read_manifest(archive):
    """The archive's manifest, after checking it is a Telar backup this code can restore."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            member = tar.getmember(MANIFEST)
            manifest = json.load(tar.extractfile(member))
    except FileNotFoundError:
        raise BackupError(f"{archive}: no such file") from None
    except (tarfile.TarError, KeyError, EOFError, OSError, ValueError):
        raise BackupError(f"{archive} is not a Telar backup (unreadable archive or no manifest)") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"{archive}: backup format {manifest.get('format')!r} is not supported")
    return manifest


def _extract(archive, workdir, manifest):
    """Unpack with tarfile's `data` filter (no absolute paths, links out or devices) and verify."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = tar.getmembers()
            allowed = {MANIFEST, manifest["database_member"]}
            for member in members:
                if member.name not in allowed and not member.name.startswith(f"{MEDIA_PREFIX}/"):
                    raise BackupError(f"{archive}: unexpected member {member.name!r}")
            tar.extractall(workdir, filter="data")
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{archive}: cannot unpack ({error})") from None
    dump = workdir / manifest["database_member"]
    if not dump.is_file() or _sha256(dump) != manifest["database_sha256"]:
        raise BackupError(f"{archive}: the database copy is missing or damaged (checksum mismatch)")
    media = _media_files(workdir / MEDIA_PREFIX)
    if len(media) != manifest["media_files"]:
        raise BackupError(f"{archive}: {len(media)} media files, manifest says {manifest['media_files']}")
    return dump


def _restore_database(dump):
    db.session.remove()
    db.engine.dispose()
    if _backend() == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(_sqlite_path())
        try:
            source.backup(target)  # replaces every page of the target, schema included
        finally:
            target.close()
            source.close()
        return
    conninfo, env = _libpq(_url())
    # Drop what is there (tables of a newer migration too), then load the snapshot in one transaction.
    empty_public_schema(db.engine)
    db.engine.dispose()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
          f"--dbname={conninfo}", str(dump)], env)


def empty_public_schema(engine):
    """PostgreSQL: drop everything in the `public` schema (all the migrations built) and leave it empty."""
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def _swap_media(extracted):
    """Put the archived media in place of MEDIA_ROOT (renames, so a reader never sees a half folder)."""
    media_root = Path(current_app.config["MEDIA_ROOT"])
    media_root.parent.mkdir(parents=True, exist_ok=True)
    incoming = media_root.parent / f".{media_root.name}.restoring"
    outgoing = media_root.parent / f".{media_root.name}.replaced"
    shutil.rmtree(incoming, ignore_errors=True)
    shutil.rmtree(outgoing, ignore_errors=True)
    if extracted.exists():
        shutil.move(str(extracted), incoming)
    else:
        incoming.mkdir()
    if media_root.exists():
        os.replace(media_root, outgoing)
    os.replace(incoming, media_root)
    shutil.rmtree(outgoing, ignore_errors=True)


def restore_backup(archive) -> BackupSummary:
    """Replace the database and MEDIA_ROOT by the archive's; checked fully before anything changes."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    if manifest["backend"] != _backend():
        raise BackupError(f"{archive} is a {manifest['backend']} backup; this app uses {_backend()} "
                          f"(restore it into a {manifest['backend']} database)")
    media_root = Path(current_app.config["MEDIA_ROOT"])
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".restore-") as work:
        work = Path(work)
        dump = _extract(archive, work, manifest)
        _restore_database(dump)
        _swap_media(work / MEDIA_PREFIX)
    rows = row_counts()
    if rows != manifest["rows"]:
        raise BackupError(f"restored, but row counts differ from the backup's: {rows} != {manifest['rows']}")
    return BackupSummary(archive, manifest["backend"], _revision(), rows, manifest["media_files"])
