"""The local emulator refuses what Stripe refuses, read from stripe-python's typed parameters.

A fake that accepts anything proves nothing: each bad request below gets Stripe's answer, a 400
`invalid_request_error` whose `param` names the parameter in bracket notation.
"""
import requests

from devtools.stripe_params import checkout_countries
from storefront.checkout import shipping
from storefront.payments.client import checkout_countries as app_countries

GOOD_SESSION = {
    "mode": "payment", "success_url": "http://127.0.0.1/ok", "cancel_url": "http://127.0.0.1/no",
    "line_items[0][quantity]": "1", "line_items[0][price_data][currency]": "usd",
    "line_items[0][price_data][unit_amount]": "6600",
    "line_items[0][price_data][product_data][name]": "Huipil",
    "shipping_address_collection[allowed_countries][0]": "US",
    "shipping_address_collection[allowed_countries][1]": "FR",
}


def _post(emulator, path, form):
    return requests.post(emulator.url + path, data=form, timeout=30,
                         headers={"Authorization": "Bearer sk_test_contract"})


def _refused(response):
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    return error["param"], error["message"]


def test_a_session_that_stripe_takes_is_taken(emulator):
    response = _post(emulator, "/v1/checkout/sessions", GOOD_SESSION)
    assert response.status_code == 200 and response.json()["object"] == "checkout.session"


def test_sark_is_not_a_country_checkout_ships_to(emulator):
    form = {**GOOD_SESSION, "shipping_address_collection[allowed_countries][1]": "CQ"}
    param, message = _refused(_post(emulator, "/v1/checkout/sessions", form))
    assert param == "shipping_address_collection[allowed_countries][1]" and "must be one of" in message


def test_an_unknown_nested_key_is_refused_by_its_full_name(emulator):
    form = {**GOOD_SESSION, "line_items[0][price_data][product_data][colour]": "red"}
    param, message = _refused(_post(emulator, "/v1/checkout/sessions", form))
    assert param == "line_items[0][price_data][product_data][colour]"
    assert message == "Received unknown parameter: line_items[0][price_data][product_data][colour]"


def test_a_float_amount_is_refused(emulator):
    form = {**GOOD_SESSION, "line_items[0][price_data][unit_amount]": "66.50"}
    param, message = _refused(_post(emulator, "/v1/checkout/sessions", form))
    assert (param, message) == ("line_items[0][price_data][unit_amount]", "Invalid integer: 66.50")
    param, _message = _refused(_post(emulator, "/v1/refunds", {"payment_intent": "pi_1", "amount": "1.5"}))
    assert param == "amount"


def test_enum_boolean_and_missing_values_are_refused(emulator):
    def refused(form):
        return _refused(_post(emulator, "/v1/checkout/sessions", form))
    assert refused({**GOOD_SESSION, "mode": "barter"})[0] == "mode"
    assert refused({**GOOD_SESSION, "locale": "tzo"})[0] == "locale"
    expected = ("allow_promotion_codes", "Invalid boolean: maybe")
    assert refused({**GOOD_SESSION, "allow_promotion_codes": "maybe"}) == expected
    form = {k: v for k, v in GOOD_SESSION.items() if k != "line_items[0][price_data][currency]"}
    assert refused(form)[0] == "line_items[0][price_data][currency]"
    listed = requests.get(emulator.url + "/v1/checkout/sessions", params={"limit": "ten"}, timeout=30,
                          headers={"Authorization": "Bearer sk_test_contract"})
    assert _refused(listed)[0] == "limit"


def test_the_shop_offers_exactly_the_countries_stripe_lists(app):
    assert app_countries() == set(checkout_countries()) and len(app_countries()) == 238
    with app.app_context():
        offered = shipping.all_countries()
        assert "CQ" not in offered and "US" in offered and "MX" in offered
        assert set(offered) <= app_countries()
        for zone in shipping.zones():
            assert set(shipping.allowed_countries(zone)) <= app_countries()


def test_a_key_that_is_both_a_value_and_an_object_is_refused(emulator):
    form = list(GOOD_SESSION.items()) + [("metadata", "x"), ("metadata[order_id]", "1")]
    assert _refused(_post(emulator, "/v1/checkout/sessions", form))[0] == "metadata[order_id]"
