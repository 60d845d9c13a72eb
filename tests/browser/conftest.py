"""Real-browser fixtures: Debian's Chromium driven by Playwright against the app on a live server.

Every module gets ONE live server (a werkzeug server in a thread, on a free port) serving an app on a
fresh copy of the demo cooperative (migrated and loaded once per session: about 10 s saved for every
module after the first), paying through the local Stripe emulator
(its own process, delivering signed webhooks to the live server); tests in the module share it and
pick their own garments so they never depend on each other. Screenshots go to `screenshots/` at the
repository root (gitignored), named `<module>-<viewport>-<nn>-<step>.png`.
"""
import json
import os
import re
import secrets
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storefront import create_app
from storefront.config import REPO_ROOT
from devtools.local_stripe import EmulatorProcess, free_port
from storefront.extensions import db as _db
from storefront.models import Base
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL, _reset_postgres, _restore_postgres

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "screenshots"
BROWSER_DIR = Path(__file__).resolve().parent
# From /work/shared/BROWSER.md: without the background-networking flags Chromium keeps calling
# hosts that a closed network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 800},
}
SERIOUS = ("serious", "critical")


def _missing_tools():
    if not CHROMIUM.exists():
        return ("Debian's Chromium is not installed at /usr/bin/chromium "
                "(apt-get install chromium; .ci/run does it)")
    if not AXE_JS.exists():
        return "axe-core is not installed (run `npm ci` at the repository root; .ci/run does it)"
    return None


def pytest_collection_modifyitems(config, items):
    """Skip this folder's tests, with the reason, when the browser or axe is missing."""
    reason = _missing_tools()
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(BROWSER_DIR):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """The system Chromium with the flags that work here; Playwright never downloads a browser."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORTS["phone"]}


# --- the live server ---------------------------------------------------------------------------

@dataclass
class LiveServer:
    app: object
    url: str
    server: object = field(repr=False)
    emulator: object = field(repr=False, default=None)

    def __call__(self, path="/"):
        """Absolute URL of `path` on this server."""
        return self.url + path

    def query(self, fn):
        """Run `fn()` in an app context (to look at what the browser changed in the database)."""
        with self.app.app_context():
            try:
                return fn()
            finally:
                _db.session.remove()


@pytest.fixture(scope="module")
def live_config(tmp_path_factory):
    """Settings of the module's app; a module overrides this fixture to add settings."""
    return {}


@dataclass
class DemoTemplate:
    """The demo cooperative, built once: a SQLite file or PostgreSQL rows, and its media folder."""
    media: Path
    sqlite: Path = None
    rows: dict = None


def _demo_config(database_url, root):
    return {"TESTING": True, "SECRET_KEY": "browser-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url, "MEDIA_ROOT": str(root / "media"),
            "MAIL_OUTBOX": str(root / "outbox"), "MAIL_BACKEND": "outbox",
            "RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """Migrate and load the demo data once per session (what every module used to do for itself);
    each module's server starts from a copy, as tests/conftest.py does with the migrations' seeds."""
    from flask_migrate import upgrade
    from storefront.demo import load_demo

    root = tmp_path_factory.mktemp("demo-template")
    if ON_POSTGRES:
        _reset_postgres(TEST_DATABASE_URL)
        database_url = TEST_DATABASE_URL
    else:
        database_url = f"sqlite:///{root / 'demo.sqlite3'}"
    app = create_app(_demo_config(database_url, root))
    with app.app_context():
        upgrade()
        load_demo()
        rows = None
        if ON_POSTGRES:
            with _db.engine.connect() as connection:
                rows = {table.name: [dict(row) for row in connection.execute(table.select()).mappings()]
                        for table in Base.metadata.sorted_tables}
            rows = {name: table_rows for name, table_rows in rows.items() if table_rows}
        _db.session.remove()
        _db.engine.dispose()
    return DemoTemplate(media=root / "media", sqlite=None if ON_POSTGRES else root / "demo.sqlite3",
                        rows=rows)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, live_config, demo_template):
    """The app on a fresh copy of the demo cooperative with the Stripe emulator, served in a thread
    until the module ends."""
    from werkzeug.serving import make_server

    root = tmp_path_factory.mktemp("live")
    if ON_POSTGRES:
        _restore_postgres(demo_template.rows)   # the schema is the template's: migrated this session
        database_url = TEST_DATABASE_URL
    else:
        database_url = f"sqlite:///{root / 'live.sqlite3'}"
        shutil.copyfile(demo_template.sqlite, root / "live.sqlite3")
    if demo_template.media.exists():
        shutil.copytree(demo_template.media, root / "media")
    port = free_port()
    secret = "whsec_" + secrets.token_hex(16)
    emulator = EmulatorProcess(f"http://127.0.0.1:{port}/stripe/webhook", secret)
    config = {
        "TESTING": True,
        "SECRET_KEY": "browser-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MEDIA_ROOT": str(root / "media"),
        "MAIL_OUTBOX": str(root / "outbox"),
        "MAIL_BACKEND": "outbox",
        "RATELIMIT_STORAGE_URI": "memory://",
        "STRIPE_SECRET_KEY": "sk_test_" + secrets.token_hex(12),
        "STRIPE_API_BASE": emulator.url,
        "STRIPE_WEBHOOK_SECRET": secret,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        **live_config,
    }
    try:
        app = create_app(config)
        server = make_server("127.0.0.1", port, app, threaded=True)
    except BaseException:
        emulator.stop()
        raise
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{port}", server=server, emulator=emulator)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        emulator.stop()
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


# --- pages at a viewport, screenshots, axe ------------------------------------------------------

@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


class Visit:
    """One browser context at one viewport, with the checks every page visit gets.

    `check(label)` saves a screenshot and runs axe-core on the current page: no serious or critical
    violation, and no Content-Security-Policy violation reported in the console (the pages must work
    without inline script). axe is evaluated through the DevTools protocol because the page's own CSP
    (rightly) refuses an injected inline <script>.
    """

    def __init__(self, browser, live, viewport, prefix, **context_args):
        self.viewport = viewport
        self.prefix = f"{prefix}-{viewport}"
        self.context = browser.new_context(viewport=VIEWPORTS[viewport], **context_args)
        self.page = self.context.new_page()
        self.live = live
        self.steps = 0
        self.checked = []
        self.console_errors = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"page error: {error}"))

    def _on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def goto(self, path):
        response = self.page.goto(self.live(path))
        status = response.status if response is not None else None
        assert status is not None and status < 400, f"{path} answered {status}"
        return response

    def screenshot(self, step):
        self.steps += 1
        SCREENSHOTS.mkdir(exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = SCREENSHOTS / f"{self.prefix}-{self.steps:02d}-{name}.png"
        where = self.page.evaluate("[scrollX, scrollY]")
        self.page.screenshot(path=str(path), full_page=True)
        # Chromium 156 + Playwright 1.65: after a full-page capture, clicks hit nothing until the
        # page scrolls again; scrolling back to where the visitor was restores hit-testing.
        self.page.evaluate("([x, y]) => { window.scrollTo(0, 0); window.scrollTo(x, y); }", where)
        return path

    def check(self, step):
        """Screenshot + axe + CSP on the page the browser is on now."""
        self.page.wait_for_load_state("load")
        self.screenshot(step)
        assert_accessible(self.page, f"{step} ({self.viewport}, {self.page.url})")
        csp = [text for text in self.console_errors if "Content Security Policy" in text]
        assert not csp, f"{step}: CSP violations on {self.page.url}:\n" + "\n".join(csp)
        self.checked.append(self.page.url)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, live_server, viewport, request):
    """Factory: `visit(who, **context_args)`: a fresh browser context (one person) at the viewport."""
    opened = []
    prefix = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")

    def open_visit(who="", **context_args):
        v = Visit(browser, live_server, viewport, f"{prefix}-{who}" if who else prefix, **context_args)
        opened.append(v)
        return v

    yield open_visit
    for v in opened:
        v.close()


def axe_violations(page):
    """axe-core's serious and critical violations on `page`, as plain dicts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + '  ' + n.failureSummary)}));
    }""")
    return [v for v in result if v["impact"] in SERIOUS]


def assert_accessible(page, label):
    violations = axe_violations(page)
    details = json.dumps(violations, indent=2, ensure_ascii=False)
    assert not violations, f"axe: {len(violations)} serious/critical violation(s) on {label}:\n{details}"


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshots():
    """Start each run with an empty screenshots folder so old images never pass for new ones."""
    if os.environ.get("KEEP_SCREENSHOTS") != "1" and SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    yield
