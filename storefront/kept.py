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

Figures computed from whole groups of tables (the catalog's totals, the texts to translate, the sales
figures) are kept the same way by `kept_while`, under a version that database triggers move on every
committed change to the group's tables (the `data_versions` table, migration 0013): any writer moves it.
"""
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Hashable

from flask import current_app, g, has_app_context
from sqlalchemy import select

from storefront import writes
from storefront.extensions import db
from storefront.models import DataVersion

CATALOG = "catalog"   # garments, their texts and photos, artisans, voice stories
SALES = "sales"       # orders, refunds, the ledger, payouts
MAX_KEPT_FIGURES = 1000  # per group: one per catalog filter a buyer tried, say; then start again


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


def kept_while(group: str, key: Hashable, load: Callable[[], Any]):
    """load()'s value for `key`, kept until the version of `group` (CATALOG, SALES) moves; load() must
    return something nobody changes (a number, a tuple, frozen dataclasses).

    The version is read at most once a request and once every KEPT_VALUES_CHECK_SECONDS per process
    (at once after this process commits a write), so a change by any writer is seen within those
    seconds. With KEPT_VALUES_CHECK_SECONDS = 0 every call loads afresh.
    """
    if not current_app.config.get("KEPT_VALUES_CHECK_SECONDS", 0):
        return load()
    version = _group_version(group)
    if version is None:  # a database from before migration 0013: nothing tells when to forget
        return load()
    figures = current_app.extensions.setdefault("kept_figures", {}).setdefault(group, {})
    found = figures.get(key)
    if found is not None and found[0] == version:
        return found[1]
    value = load()
    with _lock:
        if len(figures) >= MAX_KEPT_FIGURES:
            figures.clear()
        figures[key] = (version, value)
    return value


def _group_version(group):
    """The group's version: once a request, from the database at most every check seconds."""
    memo_key, generation = f"data_version_{group}", writes.generation()
    memo = g.get(memo_key)
    if memo is not None and memo[0] == generation:  # unless this request has committed a write since
        return memo[1]
    seconds = current_app.config["KEPT_VALUES_CHECK_SECONDS"]
    checks = current_app.extensions.setdefault("data_versions", {})
    now = clock()
    seen = checks.get(group)  # (version, checked at, this process's write generation then)
    if seen is None or seen[2] != generation or now >= seen[1] + seconds:
        seen = (db.session.scalar(select(DataVersion.version).where(DataVersion.name == group)), now,
                generation)
        with _lock:
            checks[group] = seen
    setattr(g, memo_key, (generation, seen[0]))
    return seen[0]
