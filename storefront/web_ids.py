"""Ids from URLs, query strings and forms, bounded to what the database can hold.

An id outside PostgreSQL's `integer` (and so outside every row id) cannot name a row: it answers 404
instead of reaching the database, where it would raise (SQLite's OverflowError, PostgreSQL's
NumericValueOutOfRange) and answer 500.
"""
from flask import abort, request
from werkzeug.routing import IntegerConverter

MAX_DB_ID = 2**31 - 1  # PostgreSQL integer; SQLite's own limit is larger
MAX_PAGE = 100_000  # far beyond any real listing; keeps OFFSET within range too


class DatabaseIdConverter(IntegerConverter):
    """`<id:order_id>` (and `<int:…>`, which the app maps here): digits only, 1 to MAX_DB_ID."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", MAX_DB_ID)
        super().__init__(map, *args, **kwargs)


def parse_id(value):
    """An id written as digits within range, else None (never raises)."""
    value = (str(value) if value is not None else "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_DB_ID else None


def id_arg(name, source=None):
    """An optional id from the query string (or `source`, e.g. request.form): None when absent,
    404 when present but not an id the database could hold."""
    source = request.args if source is None else source
    raw = source.get(name)
    if raw is None or raw == "":
        return None
    number = parse_id(raw)
    if number is None:
        abort(404)
    return number


def page_arg(name="page"):
    """The page number of a listing: 1 when absent or unreadable, 404 when absurdly large."""
    raw = (request.args.get(name) or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return 1
    if len(raw) > 6 or int(raw) > MAX_PAGE:
        abort(404)
    return max(1, int(raw))


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_nul_bytes():
    """before_request: a NUL byte in the path, the query string or a form field is never text a person
    typed; PostgreSQL refuses it in text columns (a 500), so the request ends here: 404 for a path, 400
    for a query or a form."""
    if "\x00" in request.path:
        abort(404)  # no page has such a name
    texts = [*request.args.keys(), *request.args.values()]
    if request.mimetype in FORM_TYPES:
        texts += [*request.form.keys(), *request.form.values()]
    if any("\x00" in text for text in texts):
        abort(400)


def register(app):
    """Before any blueprint: `<id:…>` exists, and every `<int:…>` rule is bounded the same way."""
    app.url_map.converters["id"] = DatabaseIdConverter
    app.url_map.converters["int"] = DatabaseIdConverter
