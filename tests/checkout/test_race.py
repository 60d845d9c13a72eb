"""Fifty buyers press "Pay" for the last garment at the same moment, against a real threaded server."""
import threading
import time

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.models import LedgerEntry, Order, Product, StockHold

BUYERS = 50


@pytest.mark.postgres_only
def test_fifty_buyers_race_for_the_last_garment(live, shop_data, fresh):
    browsers = [live.browser() for _ in range(BUYERS)]
    tokens = []
    for browser in browsers:
        assert live.add(browser, shop_data.huipil.id).status_code == 200
        tokens.append(live.csrf(browser, "/cart?country=US"))
    barrier = threading.Barrier(BUYERS)
    results = [None] * BUYERS

    def buyer(index):
        barrier.wait()
        started = time.monotonic()
        response = browsers[index].post(f"{live.base_url}/checkout", timeout=120, allow_redirects=False,
                                        data={"country": "US", "email": f"b{index}@example.com",
                                              "csrf_token": tokens[index]})
        results[index] = (response.status_code, response.headers.get("Location", ""),
                          time.monotonic() - started)

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert all(r is not None for r in results), "a buyer never got an answer (deadlock?)"
    winners = [i for i, r in enumerate(results) if r[1].startswith(live.emulator.url)]
    losers = [i for i, r in enumerate(results) if r[1].endswith("/cart")]
    assert len(winners) == 1 and len(losers) == BUYERS - 1, results
    messages = [browsers[i].get(f"{live.base_url}/cart", timeout=30).text for i in losers]
    assert all("was just sold to another buyer" in m for m in messages)

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StockHold)) == 1
    assert fresh(Product, shop_data.huipil.id).stock == 0
    winner = winners[0]
    paid = live.pay(browsers[winner], results[winner][1])
    assert paid.status_code == 303
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Order).where(Order.status == "paid")) == 1
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    product = fresh(Product, shop_data.huipil.id)
    assert (product.stock, product.status) == (0, "sold_out")
    slowest = max(r[2] for r in results)
    print(f"\nrace: {BUYERS} buyers, 1 hold, 1 sale, {len(losers)} 'just sold'; "
          f"slowest answer {slowest:.2f} s")
