"""Made to order, on a phone: a buyer asks in English with euros, the artisan quotes in Spanish, the
buyer pays the deposit with 4242 through the emulator, the advance appears in her earnings, she posts a
progress photo, the buyer pays the balance and the order ships."""
import pytest
from sqlalchemy import select

from storefront.extensions import db
from storefront.models import Artisan, Commission, LedgerEntry, Order, Product
from tests.browser.journeys import ARTISAN_LOGIN, COORDINATOR_LOGIN, log_in, photo_files

EMAIL = "ada.buyer@example.com"


@pytest.fixture(params=["phone"], ids=["phone"])
def viewport(request):
    """Phone only: this journey is about a buyer and an artisan on their phones."""
    return request.param


def _prepare():
    """María takes commissions; one of her garments has just sold (the buyer wants one like it)."""
    artisan = db.session.scalar(select(Artisan).where(Artisan.slug == ARTISAN_LOGIN[0]))
    artisan.accepts_commissions, artisan.commission_cap = True, 3
    garment = db.session.scalars(select(Product).where(Product.artisan_id == artisan.id)
                                 .order_by(Product.id)).first()
    garment.stock, garment.status = 0, "sold_out"
    db.session.commit()
    return garment.slug


def _commission():
    commission = db.session.scalars(select(Commission).order_by(Commission.id.desc())).first()
    entries = [(e.kind, e.amount) for e in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.commission_id == commission.id).order_by(LedgerEntry.id))]
    order = db.session.get(Order, commission.order_id) if commission.order_id else None
    return {"id": commission.id, "token": commission.public_token, "status": commission.status,
            "price_mxn": commission.price_mxn, "total": commission.total_amount,
            "deposit": commission.deposit_amount, "balance": commission.balance_amount,
            "deposit_mxn": commission.deposit_mxn, "balance_mxn": commission.balance_mxn,
            "share": commission.artisan_share_mxn, "advance": commission.advance_mxn,
            "rest": commission.remaining_share_mxn, "rate": str(commission.exchange_rate),
            "entries": entries, "order_id": order.id if order else None,
            "order_status": order.status if order else None}


def _pay(v, live_server):
    emulator = live_server.emulator.url
    assert v.page.url.startswith(emulator + "/pay/"), v.page.url
    for selector, text in {"#name": "Ada Lovelace", "#line1": "Webergasse 3", "#city": "Berlin",
                           "#postal_code": "10115", "#card_number": "4242 4242 4242 4242"}.items():
        v.page.fill(selector, text)
    if v.page.locator("#country option[value=DE]").count():   # the balance collects the address
        v.page.select_option("#country", "DE")
    with v.page.expect_navigation(url=lambda url: not url.startswith(emulator)):
        v.page.locator("form[action^='/pay/'] button[type=submit]").click()


def test_a_commission_from_request_to_shipping(visit, live_server, tmp_path):
    slug = live_server.query(_prepare)

    buyer = visit("buyer", locale="en-US")
    buyer.goto(f"/products/{slug}?lang=en&currency=EUR")
    with buyer.page.expect_navigation():
        buyer.page.get_by_role("link", name="Ask her to make one for you").click()
    buyer.page.fill("#size", "M, 96 cm bust")
    buyer.page.fill("#colours", "Indigo and white")
    buyer.page.fill("#notes", "Long sleeves, please.")
    buyer.page.fill("#email", EMAIL)
    buyer.page.select_option("#country", "DE")
    buyer.check("request")
    with buyer.page.expect_navigation():
        buyer.page.get_by_role("button", name="Send my request").click()
    assert "Waiting for her quote" in buyer.page.locator("main").inner_text()
    buyer.check("request sent")
    commission = live_server.query(_commission)

    artisan = visit("artisan", locale="es-MX")
    log_in(artisan, *ARTISAN_LOGIN, check=False)
    artisan.goto(f"/studio/commissions/{commission['id']}")
    artisan.page.fill("#materials_cost", "600")
    artisan.page.fill("#hours", "40")
    artisan.page.fill("#weeks", "6")
    artisan.check("quote form (Spanish)")
    with artisan.page.expect_navigation():
        artisan.page.get_by_role("button", name="Enviar el presupuesto").click()
    assert "Presupuesto enviado" in artisan.page.locator("main").inner_text()

    buyer.goto(f"/commissions/{commission['token']}")
    main = buyer.page.locator("main").inner_text()
    assert "€" in main and "2011/83/EU" in main
    buyer.page.check("input[name=specification_understood]")
    buyer.check("quote in euros, legal text")
    with buyer.page.expect_navigation():
        buyer.page.get_by_role("button", name="Accept and pay the deposit").click()
    _pay(buyer, live_server)
    assert "She is making it" in buyer.page.locator("main").inner_text()
    buyer.check("deposit paid")
    commission = live_server.query(_commission)
    assert commission["status"] == "in_progress"
    assert commission["entries"] == [("advance", commission["advance"])]

    artisan.goto("/studio/earnings")
    advance_text = f"{commission['advance'] / 100:,.2f}"
    assert advance_text in artisan.page.locator("main").inner_text()
    artisan.check("advance in her earnings")
    artisan.goto(f"/studio/commissions/{commission['id']}")
    artisan.page.set_input_files("#photo", photo_files(tmp_path, count=1)[0])
    artisan.page.fill("#note", "Ya urdí el telar.")
    with artisan.page.expect_navigation():
        artisan.page.get_by_role("button", name="Publicar").click()
    artisan.check("progress posted")
    with artisan.page.expect_navigation():
        artisan.page.get_by_role("button", name="Ya está terminada").click()

    buyer.goto(f"/commissions/{commission['token']}")
    assert buyer.page.locator(".progress-posts img").count() == 1
    buyer.check("progress photo, balance link")
    with buyer.page.expect_navigation():
        buyer.page.get_by_role("button", name="Pay the balance").click()
    _pay(buyer, live_server)
    assert "Paid in full" in buyer.page.locator("main").inner_text()
    commission = live_server.query(_commission)
    assert commission["order_status"] == "paid"
    assert commission["entries"] == [("advance", commission["advance"]), ("sale", commission["rest"])]

    coordinator = visit("coordinator", locale="es-MX")
    log_in(coordinator, *COORDINATOR_LOGIN, check=False)
    coordinator.goto(f"/coop/orders/{commission['order_id']}")
    for action, extra in (("pack", {}), ("ship", {"carrier": "DHL", "tracking_number": "JD014600003"})):
        form = coordinator.page.locator(f"form[action$='/{action}']")
        for name, value in extra.items():
            form.locator(f"[name={name}]").fill(value)
        with coordinator.page.expect_navigation():
            form.locator("button[type=submit]").click()
    coordinator.check("order shipped")
    commission = live_server.query(_commission)
    assert commission["order_status"] == "shipped"
    print("\nFIGURES", commission)
