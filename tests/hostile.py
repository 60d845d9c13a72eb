"""A hostile walk over every route of `app.url_map`: no request, however absurd, answers 5xx.

Routes come from the URL map, so a route added on another branch is walked without editing this file.
Every path argument, a set of query-string keys and every form field the page shows (plus common ones)
get hostile values: huge and negative integers, non-numbers, 10,000-character strings, NUL bytes,
unknown enum values. Requests go as an anonymous visitor, an artisan, a coordinator and an admin, with
and without a CSRF token, and with a method the route does not take.

`walk(app, clients, full=False)`: the quick walk (one rotating value per route, method and identity: a
few hundred requests, for every CI run). `full=True`: every value x method x identity x CSRF (bench/
hostile.py, `make fuzz`).
"""
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

HOSTILE_VALUES = [
    "99999999999999999999",        # beyond any integer column
    str(2**31),                     # just past PostgreSQL's integer
    str(2**63),                     # past a bigint, and SQLite's integer
    "-1",
    "0",
    "abc",
    "1e309",                        # a float that overflows
    "NaN",
    "²",                            # a digit to str.isdigit(), not to int()
    "x" * 10_000,
    "a\x00b",                       # a NUL byte
    "../../etc/passwd",
    "no-such-choice",               # an unknown enum value (status, action, sort…)
    "%s%n{0}",
    "\u202e\U0001f9f5",
]
QUERY_KEYS = ("page", "artisan", "status", "period", "sort", "dir", "offset", "session_id", "order",
              "country", "next", "q", "category", "technique", "min_price", "max_price", "v")
COMMON_FIELDS = ("product_id", "quantity", "line_id", "action", "size", "login", "password", "confirm",
                 "code",
                 "carrier", "tracking_number", "restock", "email", "country", "amount", "reason", "method",
                 "artisan_id", "pending", "remove_image", "username", "role", "title", "price", "stock")
WRONG_METHODS = ("DELETE", "PATCH", "PUT", "POST", "GET")
IDENTITIES = ("anonymous", "artisan", "coordinator", "admin")
ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
FIELD_NAME = re.compile(r'name="([A-Za-z_][\w-]{0,60})"')
CSRF_VALUE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
# Last: logging out would end the rest of that identity's walk.
LAST_ENDPOINTS = ("accounts.logout",)


@dataclass
class WalkResult:
    requests: int = 0
    rules: int = 0
    identities: int = 0
    values: int = len(HOSTILE_VALUES)
    statuses: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def count(self, status, where):
        self.requests += 1
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 500:
            self.failures.append(f"{status} {where}")


def walkable_rules(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    return sorted(rules, key=lambda rule: (rule.endpoint in LAST_ENDPOINTS, rule.rule))


def path_with(rule, value):
    """The rule's path with every argument replaced by `value`, quoted as a browser would send it."""
    return ARGUMENT.sub(lambda match: quote(value, safe=""), rule.rule)


def csrf_of(client, path="/"):
    match = CSRF_VALUE.search(client.get(path).get_data(as_text=True))
    return (match.group(1) or match.group(2)) if match else None


def form_fields(client, rule):
    """Field names the route's own page shows (when it answers GET), plus common ones."""
    names = set(COMMON_FIELDS)
    if "GET" in rule.methods and not rule.arguments:
        response = client.get(rule.rule)
        if response.status_code == 200 and response.mimetype == "text/html":
            names |= set(FIELD_NAME.findall(response.get_data(as_text=True)))
    names.discard("csrf_token")
    return sorted(names)


def send(client, method, rule, value, fields, token):
    path = path_with(rule, value)
    query = urlencode({key: value for key in QUERY_KEYS})
    headers = {"Accept": "text/html"}
    if method in ("GET", "HEAD", "DELETE"):
        return client.open(f"{path}?{query}", method=method, headers=headers)
    data = {name: value for name in fields}
    if token:
        data["csrf_token"] = token
        headers["X-CSRFToken"] = token
    if method == "PUT" and rule.endpoint.endswith("upload_chunk"):
        return client.open(f"{path}?{query}", method=method, data=value.encode(), headers=headers)
    return client.open(f"{path}?{query}", method=method, data=data, headers=headers)


def walk(app, clients, full=False):
    """Send the hostile requests; returns a WalkResult (failures lists every 5xx)."""
    result = WalkResult(identities=len(clients))
    rules = walkable_rules(app)
    result.rules = len(rules)
    tokens = {who: csrf_of(client, "/account/password" if who != "anonymous" else "/login")
              for who, client in clients.items()}
    fields_of = {}
    turn = 0
    for rule_index, rule in enumerate(rules):
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for who_index, (who, client) in enumerate(clients.items()):
            if rule.rule not in fields_of:
                fields_of[rule.rule] = form_fields(clients["admin"] if "admin" in clients else client, rule)
            for method in methods:
                if full:
                    plan = [(value, token) for value in HOSTILE_VALUES for token in (tokens[who], None)]
                else:
                    turn += 1
                    value = HOSTILE_VALUES[(turn + who_index) % len(HOSTILE_VALUES)]
                    plan = [(value, tokens[who] if turn % 2 else None)]
                    if rule.arguments and who == "admin" and value != HOSTILE_VALUES[0]:
                        plan.append((HOSTILE_VALUES[0], tokens[who]))  # every id route meets a huge id
                for value, token in plan:
                    try:
                        response = send(client, method, rule, value, fields_of[rule.rule], token)
                    except Exception as error:  # an exception escaping the app is a 500 for a browser
                        result.count(599, f"{who} {method} {rule.rule} {value[:40]!r}: {error!r}"[:300])
                        continue
                    result.count(response.status_code, f"{who} {method} {rule.rule} value={value[:40]!r} "
                                                       f"csrf={'yes' if token else 'no'}")
            # A method the route does not take: 405, never 500 (once per route in the quick walk).
            wrong = [m for m in WRONG_METHODS if m not in rule.methods]
            if wrong and (full or who_index == rule_index % len(clients)):
                response = client.open(path_with(rule, "1"), method=wrong[0], headers={"Accept": "text/html"})
                result.count(response.status_code, f"{who} {wrong[0]} (not allowed) {rule.rule}")
    return result


def logged_in_clients(app, people):
    """A test client per identity, logged in through the real form (the admin types her code)."""
    from tests.conftest import AuthActions
    from tests.factories import PASSWORD

    clients = {}
    for who in IDENTITIES:
        client = app.test_client()
        if who != "anonymous":
            response = AuthActions(client).login(people[who], PASSWORD)
            assert response.status_code == 302, (who, response.status_code)
        clients[who] = client
    return clients


def build_world(make):
    """An artisan with a login and a garment, a coordinator, an admin; returns identity -> user name."""
    rosa = make.artisan(name="Rosa", slug="rosa", with_login=True)
    make.product(artisan=rosa)
    make.user(username="coord", role="coordinator")
    make.user(username="boss", role="admin")
    return {"artisan": "rosa", "coordinator": "coord", "admin": "boss"}
