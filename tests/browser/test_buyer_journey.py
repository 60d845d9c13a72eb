"""Buyer: opens the shop (in French from a Canadian browser, prices in Canadian dollars; the
keyboard-only buyer in English and US dollars), switches to French and euros, filters the catalog,
opens a garment, reads the artisan's story, adds it to the cart, pays with the test card on the local
Stripe emulator, lands on the confirmation, and the garment then shows as sold. Once with the mouse,
once with the keyboard only."""
from tests.browser.journeys import browse_to_a_garment, pay_and_confirm


def test_buyer_finds_a_garment_and_buys_it(visit, live_server):
    v = visit("buyer", locale="fr-CA")
    garment_path = browse_to_a_garment(v, opens_in=("fr", "$CA"))
    pay_and_confirm(v, live_server, garment_path)


def test_buyer_journey_with_the_keyboard_only(visit, live_server):
    v = visit("keyboard", locale="en-US")
    garment_path = browse_to_a_garment(v, keyboard=True)
    pay_and_confirm(v, live_server, garment_path, keyboard=True)
