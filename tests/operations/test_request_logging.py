"""One JSON line per request, with an id the response echoes, and nothing personal or secret in it."""
import json
import logging

import pytest

from storefront.logging import LOGGER_NAME, loggable_path, request_id_from
from tests.factories import PASSWORD


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def records(self):
        return [json.loads(line) for line in self.lines]


@pytest.fixture
def log_lines(app):
    handler = Lines()
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_each_request_gives_one_json_line_whose_id_the_response_echoes(client, log_lines):
    response = client.get("/healthz")

    assert response.status_code == 200
    [record] = log_lines.records()
    assert set(record) == {"time", "request_id", "method", "path", "endpoint", "status", "duration_ms",
                           "user_id"}
    assert record["request_id"] == response.headers["X-Request-ID"]
    assert len(record["request_id"]) == 32
    assert (record["method"], record["path"]) == ("GET", "/healthz")
    assert (record["status"], record["user_id"]) == (200, None)
    assert record["duration_ms"] >= 0
    assert record["time"].endswith("Z")


def test_the_proxys_request_id_is_kept_and_a_malformed_one_replaced(client, log_lines):
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-7f3a9c0d1e2b"})
    replaced = client.get("/healthz", headers={"X-Request-ID": 'x" injected {"status": 200}'})
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 129})

    assert kept.headers["X-Request-ID"] == "nginx-7f3a9c0d1e2b"
    assert replaced.headers["X-Request-ID"] != 'x" injected {"status": 200}'
    assert too_long.headers["X-Request-ID"] != "a" * 129
    ids = [record["request_id"] for record in log_lines.records()]
    assert ids == [r.headers["X-Request-ID"] for r in (kept, replaced, too_long)]
    assert all("injected" not in line for line in log_lines.lines)


def test_query_strings_headers_and_cookies_never_reach_the_log(client, log_lines):
    client.set_cookie("session", "cookie-value-that-must-not-be-logged")
    client.get("/?email=ana.buyer@example.com&token=reset-abc123&lang=fr",
               headers={"Authorization": "Bearer sk_test_secretkey123",
                        "Stripe-Signature": "t=1,v1=deadbeef"})

    [line] = log_lines.lines
    for secret in ("ana.buyer", "example.com", "reset-abc123", "sk_test_", "deadbeef", "cookie-value",
                   "Bearer"):
        assert secret not in line
    assert json.loads(line)["path"] == "/"


def test_a_login_logs_the_user_id_never_the_name_or_password(app, client, make, log_lines, auth):
    with app.app_context():
        user_id = make.user(username="coordinadora.rosa", role="coordinator").id

    auth.login("coordinadora.rosa", PASSWORD)
    client.get("/healthz")

    joined = "\n".join(log_lines.lines)
    assert "coordinadora.rosa" not in joined and PASSWORD not in joined
    records = log_lines.records()
    login_post = [r for r in records if r["method"] == "POST" and r["path"] == "/login"]
    assert len(login_post) == 1 and login_post[0]["status"] in (302, 303)
    assert records[-1]["user_id"] == user_id


def test_refused_and_missing_pages_are_logged_with_their_status(client, log_lines):
    client.get("/no-such-page-here")
    client.post("/logout")  # no CSRF token: refused

    statuses = [record["status"] for record in log_lines.records()]
    assert statuses[0] == 404 and statuses[1] in (400, 403)
    assert all(record["request_id"] for record in log_lines.records())


@pytest.mark.parametrize("rule, args, expected", [
    ("/products/<slug>", {"slug": "huipil-de-rombos"}, "/products/huipil-de-rombos"),
    ("/orders/<token>", {"token": "Zx81-secret"}, "/orders/<token>"),
    ("/reset/<string:reset_code>", {"reset_code": "123456"}, "/reset/<reset_code>"),
    ("/studio/garments/<int:garment_id>/photos", {"garment_id": 7}, "/studio/garments/7/photos"),
    ("/checkout/<session_id>", {"session_id": "cs_test_abc"}, "/checkout/<session_id>"),
])
def test_sensitive_url_parts_are_replaced_by_their_name(rule, args, expected):
    assert loggable_path("/ignored", rule, args) == expected


def test_a_path_without_a_rule_is_kept_but_bounded():
    assert loggable_path("/x" * 500) == ("/x" * 500)[:300]


def test_request_ids_are_generated_when_absent_or_unsafe():
    assert request_id_from("req-12345678") == "req-12345678"
    for unsafe in (None, "", "short", "has space 12345", "ünïcode-1234567"):
        generated = request_id_from(unsafe)
        assert generated != unsafe and len(generated) == 32
