"""One structured (JSON) log line per request, tied together by a request id.

The id comes from the reverse proxy's `X-Request-ID` when it is well-formed, else it is generated;
it is echoed in the response so a buyer's "reference" and the proxy's log point at the same line.
What is logged is chosen so that no personal data or secret can leak into logs: never the query
string (it may hold an email, a Stripe session id, a reset token), never bodies or headers, and the
path with sensitive URL parts (tokens, keys…) replaced by their placeholder. The user is an id.
"""
import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import g, request

LOGGER_NAME = "storefront.requests"
REQUEST_ID_HEADER = "X-Request-ID"
# Ids from the proxy are only trusted when they look like ids: no spaces, no log injection.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
# URL variables whose value is a credential or identifies a person rather than a thing.
SENSITIVE_URL_PARTS = re.compile(r"token|secret|key|signature|password|email|phone|session|code", re.I)
URL_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
MAX_PATH = 300

logger = logging.getLogger(LOGGER_NAME)


def request_id_from(header_value):
    """The proxy's request id if it is well-formed, else a fresh one."""
    if header_value and VALID_REQUEST_ID.match(header_value):
        return header_value
    return uuid.uuid4().hex


def loggable_path(path, rule=None, view_args=None):
    """The request path, with sensitive URL variables shown as `<name>` (e.g. `/orders/<token>`)."""
    if rule is not None:
        values = view_args or {}

        def value_of(match):
            name = match.group(1)
            if SENSITIVE_URL_PARTS.search(name) or name not in values:
                return f"<{name}>"
            return str(values[name])
        path = URL_VARIABLE.sub(value_of, rule)
    return path[:MAX_PATH]


def _user_id():
    """The logged-in user's id, without ever failing the request over it."""
    try:
        from flask_login import current_user
        return current_user.id if current_user.is_authenticated else None
    except Exception:  # noqa: BLE001 - a log line must never turn a response into an error
        return None


def _start_request():
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def _log_response(response):
    request_id = g.get("request_id") or request_id_from(None)
    response.headers[REQUEST_ID_HEADER] = request_id
    write_line(request_id, request.method,
               loggable_path(request.path, request.url_rule.rule if request.url_rule else None,
                             request.view_args),
               request.endpoint, response.status_code, g.get("request_started"), _user_id())
    return response


def write_line(request_id, method, path, endpoint, status, started, user_id, **extra):
    """Print one request's JSON line; the page cache logs its hits through here too (with `cache`)."""
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request_id": request_id,
        "method": method,
        "path": path,
        "endpoint": endpoint,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": user_id,
        **extra,
    }
    logger.info(json.dumps(record, ensure_ascii=False, separators=(",", ":")))


def _configure_logger():
    """A stderr handler printing the JSON line as is (once per process, not once per app)."""
    if not any(getattr(handler, "_telar", False) for handler in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._telar = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def init_app(app):
    """Register the request-id and log-line hooks; call before other hooks so every request is timed."""
    if app.config.get("LOG_REQUESTS", True):
        _configure_logger()
        app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
        app.after_request(_log_response)
