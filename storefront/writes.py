"""A number that changes whenever this process commits a write to the database.

Copies kept in memory (the page cache, catalog figures, settings and rates) compare it with the number
they were made under: a write committed here makes them look again at once. Writes by other processes
are not seen here; each copy bounds how long it trusts itself for those (its own seconds).
"""
from sqlalchemy import event
from sqlalchemy.engine import Engine

_generation = 0
WRITES = ("INSERT", "UPDATE", "DELETE")


def generation():
    """The current number; it moves on every commit that wrote something."""
    return _generation


def _note_write(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip()[:6].upper() in WRITES:
        conn.info["wrote_since_commit"] = True


def _count_commit(conn):
    global _generation
    if conn.info.pop("wrote_since_commit", False):
        _generation += 1


def listen():
    """On every engine of the process, once: raw SQL and CLI commands count as writes too."""
    if not event.contains(Engine, "after_cursor_execute", _note_write):
        event.listen(Engine, "after_cursor_execute", _note_write)
        event.listen(Engine, "commit", _count_commit)
