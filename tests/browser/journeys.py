"""Steps the journeys share: logging in, browsing and paying (mouse or keyboard only), photo files, a
slow network."""
import re

import pytest
from sqlalchemy import select

from storefront.demo import textile_image
from storefront.extensions import db
from storefront.models import LedgerEntry, Order, OrderLine, Product

ARTISAN_LOGIN = ("maria-lopez-huixtan", "demo-artisan")
ADMIN_LOGIN = ("admin", "demo-admin")
COORDINATOR_LOGIN = ("coordinator", "demo-coordinator")


def log_in(v, username, password, check=True):
    """Log in through the real form; returns the page the app sends her to."""
    v.goto("/login")
    if check:
        v.check("login")
    v.page.fill("input[name=login]", username)
    v.page.fill("input[name=password]", password)
    with v.page.expect_navigation():
        v.page.locator("form:has(input[name=password]) [type=submit]").click()
    if "/account/two-factor" in v.page.url:
        set_up_login_codes(v)
    elif "/login/code" in v.page.url:
        type_login_code(v, username)
    assert "/login" not in v.page.url, f"login as {username} failed: still on {v.page.url}"
    return v.page.url


def set_up_login_codes(v):
    """An admin's first login (the demo leaves it pending): her authenticator app (pyotp) reads the key
    shown as text, she types its code, and goes on past her recovery codes."""
    import pyotp
    secret = v.page.locator("#totp-secret").inner_text().strip()
    v.page.fill("input[name=code]", pyotp.TOTP(secret).now())
    with v.page.expect_navigation():
        v.page.locator("form:has(input[name=code]) [type=submit]").click()
    assert v.page.locator(".recovery-codes li").count() == 10
    with v.page.expect_navigation():
        v.page.locator("a.button.big").click()


def type_login_code(v, username):
    """The second step of a staff login: the code her authenticator app shows now."""
    from tests.factories import next_totp_code
    from storefront.models import User

    def code():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        value = next_totp_code(user)
        db.session.commit()
        return value
    v.page.fill("input[name=code]", v.live.query(code))
    with v.page.expect_navigation():
        v.page.locator("form:has(input[name=code]) [type=submit]").click()


def photo_files(tmp_path, count=2, seed=100):
    """Real JPEG photos (textile patterns drawn with Pillow, like the demo's)."""
    paths = []
    for n in range(count):
        path = tmp_path / f"photo-{seed + n}.jpg"
        path.write_bytes(textile_image(seed + n, 900, 1125))
        paths.append(str(path))
    return paths


def slow_network(v, kbytes_per_second=150, latency_ms=150):
    """A 3G-like link (DevTools network emulation), so upload progress is visible as on a phone."""
    session = v.context.new_cdp_session(v.page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency_ms,
        "downloadThroughput": kbytes_per_second * 1024, "uploadThroughput": kbytes_per_second * 1024})
    return session


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def normal_network(session):
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


CATEGORY = "blouse"


def browse_to_a_garment(v, opens_in=("en", "$"), keyboard=False):
    """Home (in the language and currency her browser's locale implies, `opens_in`: html lang, a piece
    of the price) → French + EUR → catalog filtered to available blouses → first garment → her story.

    Returns the garment's path. With `keyboard`, every step is Tab/Enter/arrow keys, no mouse."""
    lang, price_mark = opens_in
    v.goto("/")
    assert v.page.locator("html").get_attribute("lang") == lang
    assert price_mark in v.page.locator(".price").first.inner_text()
    v.check(f"home as her browser asks ({lang})")

    if keyboard:
        tab_to(v, "#switch-lang")
        choose_with_keys(v, "#switch-lang", "fr")
        tab_to(v, "#switch-currency")
        choose_with_keys(v, "#switch-currency", "EUR")
        tab_to(v, ".switchers button")
        with v.page.expect_navigation():
            v.page.keyboard.press("Enter")
    else:
        v.page.select_option("#switch-lang", "fr")
        v.page.select_option("#switch-currency", "EUR")
        with v.page.expect_navigation():
            v.page.locator(".switchers button").click()
    assert v.page.locator("html").get_attribute("lang") == "fr"
    assert "€" in v.page.locator(".price").first.inner_text()
    v.check("home in French with euros")

    if keyboard:
        tab_to(v, "header nav a[href='/products/']")
        with v.page.expect_navigation():
            v.page.keyboard.press("Enter")
        tab_to(v, "form.filters summary")
        v.page.keyboard.press("Enter")
        tab_to(v, "#category")
        choose_with_keys(v, "#category", CATEGORY)
        tab_to(v, "#available")
        v.page.keyboard.press("Space")
        tab_to(v, "form.filters button[type=submit]")
        with v.page.expect_navigation():
            v.page.keyboard.press("Enter")
    else:
        with v.page.expect_navigation():
            v.page.locator("header nav a[href='/products/']").click()
        v.page.locator("form.filters summary").click()
        v.page.select_option("#category", CATEGORY)
        v.page.check("#available")
        with v.page.expect_navigation():
            v.page.locator("form.filters button[type=submit]").click()
    assert f"category={CATEGORY}" in v.page.url and "available=1" in v.page.url
    cards = v.page.locator("ul.grid li.card")
    assert cards.count() >= 1
    assert cards.locator(".badge.sold").count() == 0
    v.check("catalog filtered")

    first = cards.first.locator("a.card-link")
    garment_path = path_of(first.get_attribute("href"))
    if keyboard:
        tab_to(v, f"ul.grid a.card-link[href='{garment_path}']")
        with v.page.expect_navigation():
            v.page.keyboard.press("Enter")
    else:
        with v.page.expect_navigation():
            first.click()
    assert path_of(v.page.url) == garment_path
    assert "€" in v.page.locator(".big-price").inner_text()
    assert v.page.locator("article.product .details .badge.ok").count() == 1
    v.check("garment")

    story_link = "section.artisan-card a[href^='/artisans/']"
    if keyboard:
        tab_to(v, story_link)
        with v.page.expect_navigation():
            v.page.keyboard.press("Enter")
    else:
        with v.page.expect_navigation():
            v.page.locator(story_link).last.click()
    assert "/artisans/" in v.page.url
    assert v.page.locator("main h1").count() == 1
    v.check("artisan's story")
    v.page.go_back()
    assert path_of(v.page.url) == garment_path
    return garment_path


def tab_to(v, selector, limit=80):
    """Press Tab until `selector` has the focus (fails if it is not reachable by keyboard)."""
    for _ in range(limit):
        if v.page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            assert v.page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle !== 'none' "
                                   "|| getComputedStyle(document.activeElement).boxShadow !== 'none'"), \
                f"{selector} has the focus but no visible focus indicator"
            return
        v.page.keyboard.press("Tab")
    pytest.fail(f"{selector} cannot be reached with the Tab key on {v.page.url}")


def choose_with_keys(v, selector, value, limit=40):
    """Move a focused <select> to `value` with the arrow keys, as a keyboard user does."""
    for key in ("Home", *["ArrowDown"] * limit):
        if v.page.locator(selector).input_value() == value:
            return
        v.page.keyboard.press(key)
    assert v.page.locator(selector).input_value() == value, f"{selector} never reached {value!r}"


def press(v, selector, key="Enter", navigates=True):
    """Keyboard: Tab to `selector` and press `key`."""
    tab_to(v, selector)
    if navigates:
        with v.page.expect_navigation():
            v.page.keyboard.press(key)
    else:
        v.page.keyboard.press(key)


def type_into(v, selector, text):
    """Keyboard: Tab to a field, select what is there, type."""
    tab_to(v, selector)
    v.page.keyboard.press("Control+A")
    v.page.keyboard.type(text)


def click(v, selector):
    with v.page.expect_navigation():
        v.page.locator(selector).first.click()


def _order_for(slug):
    product = db.session.scalar(select(Product).where(Product.slug == slug))
    line = db.session.scalar(select(OrderLine).where(OrderLine.product_id == product.id)
                             .order_by(OrderLine.id.desc()))
    order = db.session.get(Order, line.order_id)
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.order_line_id == line.id)).all()
    return product.stock, order.status, order.currency, [(e.kind, e.amount) for e in entries], order.id


def pay_and_confirm(v, live_server, garment_path, keyboard=False):
    """Add to cart → shipping to France → emulator's payment page (4242…) → confirmation → garment sold."""
    if keyboard:
        press(v, "form.add-to-cart button[type=submit]")
    else:
        click(v, "form.add-to-cart button[type=submit]")
    assert path_of(v.page.url).startswith("/cart")
    assert v.page.locator("li.cart-line").count() == 1, v.page.locator("main").inner_text()
    v.check("cart")

    if keyboard:
        tab_to(v, "form.ship-to #country")
        v.page.keyboard.type("France")  # a focused <select> jumps to the typed option
        assert v.page.locator("form.ship-to #country").input_value() == "FR"
        press(v, "form.ship-to button[type=submit]")
        type_into(v, "#email", "ada.buyer@example.com")
        press(v, "form[action$='/checkout'] button[type=submit]")
    else:
        v.page.select_option("form.ship-to #country", "FR")
        click(v, "form.ship-to button[type=submit]")
        v.page.fill("#email", "ada.buyer@example.com")
        with v.page.expect_navigation():
            v.page.locator("form[action$='/checkout'] button[type=submit]").click()
    emulator = live_server.emulator.url
    assert v.page.url.startswith(emulator + "/pay/"), v.page.url
    v.check("payment page (Stripe test mode)")

    address = {"#name": "Ada Lovelace", "#line1": "12 rue des Tisserands", "#city": "Lyon",
               "#postal_code": "69001", "#card_number": "4242 4242 4242 4242"}
    if keyboard:
        for selector, text in address.items():
            type_into(v, selector, text)
        tab_to(v, "form[action^='/pay/'] button[type=submit]")
        with v.page.expect_navigation(url=lambda url: not url.startswith(emulator)):
            v.page.keyboard.press("Enter")
    else:
        for selector, text in address.items():
            v.page.fill(selector, text)
        with v.page.expect_navigation(url=lambda url: not url.startswith(emulator)):
            v.page.locator("form[action^='/pay/'] button[type=submit]").click()
    assert v.page.url.startswith(live_server.url), v.page.url

    # The confirmation says "paid" once the emulator's signed webhook has been fulfilled.
    for _ in range(20):
        if v.page.locator(".flash-success").count():
            break
        v.page.wait_for_timeout(250)
        v.page.reload()
    assert v.page.locator(".flash-success").count() == 1, v.page.locator("main").inner_text()
    v.check("confirmation")

    slug = garment_path.rsplit("/", 1)[-1]
    stock, status, currency, entries, order_id = live_server.query(lambda: _order_for(slug))
    assert (stock, status, currency) == (0, "paid", "EUR")
    assert [kind for kind, _ in entries] == ["sale"] and entries[0][1] > 0

    v.goto(garment_path)
    assert v.page.locator("article.product .details .badge.sold").count() == 1
    assert v.page.locator("form.add-to-cart").count() == 0
    v.check("garment sold")
    return order_id


def buy(v, live_server, garment_path):
    """A buyer abroad (euros) buys the garment at `garment_path`; returns the order id."""
    v.goto(garment_path + "?currency=EUR")
    return pay_and_confirm(v, live_server, garment_path)
