"""Values nearly every page reads and staff seldom change, kept in each process's memory.

The cooperative's settings and the newest exchange rates are read by every page with a price, and
change a few times a month. Each process keeps one frozen copy of each and asks the database at most
once every KEPT_VALUES_CHECK_SECONDS whether any process has changed it (a one-row query on a version:
the settings row's `updated_at`, the newest rate's id), so a change made by staff in one gunicorn
worker, a CLI command or another machine shows everywhere within those seconds. The process that
made the change checks at its next read (any write it commits moves `storefront.writes.generation()`).

Readers get frozen values, never ORM rows: nothing kept here can be changed and written back by
accident. Code that edits the settings reads the row itself (storefront.cooperative.get_settings).
A change made by raw SQL that leaves the version alone is not seen until the process restarts.
"""
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from flask import current_app, g, has_app_context

from storefront import writes
from storefront.extensions import db


@dataclass(frozen=True)
class _Copy:
    value: Any
    version: tuple
    checked_at: float
    generation: int


_lock = threading.Lock()
clock = time.monotonic  # tests move time forward without sleeping


def kept(name: str, version_statement, load: Callable[[], Any]):
    """load()'s value, kept until the row that `version_statement` selects changes.

    Within one request the same value is returned every time (held in `g`), so a page never mixes
    two rates. With KEPT_VALUES_CHECK_SECONDS = 0 every request loads afresh.
    """
    memo_key = f"kept_{name}"
    if has_app_context() and memo_key in g:
        return g.get(memo_key)
    value = _current(name, version_statement, load)
    if has_app_context():
        setattr(g, memo_key, value)
    return value


def forget(name: str):
    """Forget this request's copy (after a change, so the rest of the request sees it)."""
    if has_app_context():
        g.pop(f"kept_{name}", None)


def _current(name, version_statement, load):
    seconds = current_app.config.get("KEPT_VALUES_CHECK_SECONDS", 0)
    if not seconds:
        return load()
    copies = current_app.extensions.setdefault("kept_values", {})  # per app: tests build many
    now, generation = clock(), writes.generation()
    copy = copies.get(name)
    if copy is not None and copy.generation == generation and now < copy.checked_at + seconds:
        return copy.value
    version = tuple(db.session.execute(version_statement).one())
    if copy is None or copy.version != version:
        copy = _Copy(load(), version, now, generation)
    else:
        copy = _Copy(copy.value, version, now, generation)
    with _lock:
        copies[name] = copy
    return copy.value
