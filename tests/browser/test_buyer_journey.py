"""Buyer: opens the shop, switches to French and euros, filters the catalog, opens a garment, reads the
artisan's story, adds it to the cart, pays with the test card on the local Stripe emulator, lands on
the confirmation, and the garment then shows as sold. Once with the mouse, once with the keyboard only."""
import pytest

from tests.browser.journeys import path_of

CATEGORY = "blouse"


def _cart_exists(live_server):
    return "checkout.cart_add" in live_server.app.view_functions


def browse_to_a_garment(v, keyboard=False):
    """Home (en, USD) → French + EUR → catalog filtered to available blouses → first garment → her story.

    Returns the garment's path. With `keyboard`, every step is Tab/Enter/arrow keys, no mouse."""
    v.goto("/")
    assert v.page.locator("html").get_attribute("lang") == "en"
    assert "$" in v.page.locator(".price").first.inner_text()
    v.check("home in English")

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


def pay_and_confirm(v, live_server, garment_path, keyboard=False):
    """Add to cart → checkout → emulator's payment page (4242…) → confirmation → garment sold."""
    if not _cart_exists(live_server):
        pytest.skip("no cart on main yet (checkout, issue 5): the journey stops after the artisan's story")
    pytest.fail("the cart exists: write the payment steps of the journey")  # pragma: no cover


def test_buyer_finds_a_garment_and_buys_it(visit, live_server):
    v = visit("buyer", locale="en-US")
    garment_path = browse_to_a_garment(v)
    pay_and_confirm(v, live_server, garment_path)


def test_buyer_journey_with_the_keyboard_only(visit, live_server):
    v = visit("keyboard", locale="en-US")
    garment_path = browse_to_a_garment(v, keyboard=True)
    pay_and_confirm(v, live_server, garment_path, keyboard=True)
