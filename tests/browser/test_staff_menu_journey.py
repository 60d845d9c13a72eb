"""Admin and coordinator walk the staff menu on a phone, in Spanish, by links only, and no page shows an
English source string, a raw status code or an audit code where Spanish words belong."""
import re

import pytest
from babel.messages.pofile import read_po

from storefront.config import REPO_ROOT
from storefront.i18n import LOCALE_NAMES
from storefront.models.orders import ORDER_STATUSES
from tests.browser.journeys import ADMIN_LOGIN, COORDINATOR_LOGIN, log_in

ADMIN_PAGES = 17  # with commissions, blocked logins, languages and login codes
COORDINATOR_PAGES = 13
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
AUDIT_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\b")


def untranslated_phrases(locale="es"):
    """English source phrases that must not appear on a page read in `locale`: every msgid whose
    translation differs from it, cut at its placeholders, keeping pieces a reader would notice."""
    with (REPO_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    shown_as_is = set(LOCALE_NAMES.values())  # the language switcher names each language in itself
    phrases = set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for source in ids:
            if not source or source in strings or source in shown_as_is:
                continue
            for piece in PLACEHOLDER.split(source):
                piece = piece.strip(" .,:;()·—→–-")
                kept_in_translation = any(piece in (string or "") for string in strings)
                if len(piece) >= 4 and re.search(r"[A-Za-z]{3}", piece) and not kept_in_translation:
                    phrases.add(piece)
    return phrases


PHRASES = None


def english_on_page(text):
    """The English phrases, raw order statuses and audit codes found in a page's visible text."""
    global PHRASES
    if PHRASES is None:
        PHRASES = sorted(untranslated_phrases(), key=len, reverse=True)
    found = [p for p in PHRASES if re.search(r"(?<![\w])" + re.escape(p) + r"(?![\w])", text)]
    found += [s for s in ORDER_STATUSES if re.search(rf"\b{s}\b", text)]
    found += [code for code in AUDIT_CODE.findall(text) if code.split(".")[0] in
              ("order", "product", "settings", "shipping", "user", "payout", "baseline", "ledger",
               "artisan", "exchange_rate", "translation")]
    return found


def test_the_checker_finds_english_and_codes_and_passes_spanish():
    assert "Orders by status" in english_on_page("Pedidos por estado · Orders by status")
    assert "paid" in english_on_page("Pedido 25: paid")
    assert "order.paid" in english_on_page("order.paid order #25")
    assert english_on_page("Hoy en la cooperativa · Pedidos por empacar · $5,696.66 · 0–1,000 g") == []


def staff_menu(v):
    # Whitespace normalised: the studio lays its menu links out as flex rows (icon, then label).
    return [(a.get_attribute("href"), " ".join(a.inner_text().split()))
            for a in v.page.locator("nav.staff-nav a").all()]


def walk(v, expected_pages):
    """From the staff home, open every menu entry by clicking it; check each page's words."""
    menu = staff_menu(v)
    assert len(menu) == expected_pages, menu
    visited = []
    for href, label in menu:
        with v.page.expect_navigation():
            v.page.locator(f"nav.staff-nav a[href='{href}']").click()
        assert v.page.url.endswith(href), (label, v.page.url)
        text = v.page.locator("body").inner_text()
        assert english_on_page(text) == [], f"{label} ({href}) shows English or codes"
        assert staff_menu(v) == menu, f"{label} does not carry the same menu"
        visited.append(href)
    return visited


def follow(v, selector, name):
    """Click a link inside the page (not the menu) and check the page it opens."""
    with v.page.expect_navigation():
        v.page.locator(selector).first.click()
    text = v.page.locator("body").inner_text()
    assert english_on_page(text) == [], f"{name} shows English or codes"
    v.check(name)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_admin_and_coordinator_reach_every_staff_page_in_spanish_by_links(visit, live_server, viewport):
    admin = visit("admin", locale="es-MX")
    log_in(admin, *ADMIN_LOGIN)
    assert admin.page.url.endswith("/coop/")
    assert admin.page.locator("html").get_attribute("lang") == "es"
    admin.check("staff home")
    visited = walk(admin, ADMIN_PAGES)
    assert {"/coop/rates", "/coop/shipping", "/coop/settings", "/coop/audit"} <= {
        re.sub(r"^https?://[^/]+", "", href) for href in visited}
    admin.check("audit log in words")
    admin.page.locator("nav.staff-nav a[href$='/coop/shipping']").click()
    admin.page.wait_for_load_state("load")
    assert " g" in admin.page.locator("main").inner_text()  # bands carry their unit
    admin.check("shipping bands")
    admin.page.locator("nav.staff-nav a[href$='/coop/orders']").click()
    admin.page.wait_for_load_state("load")
    follow(admin, "table a[href*='/coop/orders/']", "order detail")

    coordinator = visit("coordinator", locale="es-MX")
    log_in(coordinator, *COORDINATOR_LOGIN)
    assert coordinator.page.url.endswith("/coop/")
    walk(coordinator, COORDINATOR_PAGES)
    assert coordinator.page.locator("nav.staff-nav a[href$='/coop/audit']").count() == 0
    coordinator.page.locator("nav.staff-nav a[href$='/coop/payouts']").click()
    coordinator.page.wait_for_load_state("load")
    coordinator.check("payouts owed")
    follow(coordinator, "main a[href*='/payouts/new']", "record a payout")
    coordinator.page.locator("nav.staff-nav a[href$='/coop/translations']").click()
    coordinator.page.wait_for_load_state("load")
    coordinator.check("translation queue")
    follow(coordinator, "main a[href*='/coop/translations/']", "translate a text")
