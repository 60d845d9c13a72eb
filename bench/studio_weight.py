"""Bytes the studio's pages transfer at 360x740 for a logged-in artisan, with an empty browser cache.

    .venv/bin/python -m bench.studio_weight [-v]

Starts the app on the demo data, logs in as a demo artisan in Debian's Chromium (Playwright), disables
the HTTP cache, and loads each studio page, summing the encoded (compressed) body and header bytes of
every response the page itself asked for once it and its idle work have loaded. What a service worker
fetches in the background (its own script and libraries, the pages and files it keeps for offline
use) is counted apart, since the page does not wait for it.
"""
import sys

from bench._server import demo_server
from bench.page_weight import ARGS, BUDGET, CHROMIUM

PATHS = {"her garments": "/studio/", "garment form": "/studio/garments/new", "fair price": "/studio/price"}
LOGIN = ("maria-lopez-huixtan", "demo-artisan")


def _size(request):
    sizes = request.sizes()
    return sizes["responseBodySize"] + sizes["responseHeadersSize"]


def measure(base):
    from playwright.sync_api import sync_playwright
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for label, path in PATHS.items():
            context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
            page = context.new_page()
            page.goto(base + "/login")
            page.fill("input[name=login]", LOGIN[0])
            page.fill("input[name=password]", LOGIN[1])
            with page.expect_navigation():
                page.locator("form:has(input[name=password]) [type=submit]").click()
            page = context.new_page()  # a fresh tab: nothing of the login page counted
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            own, everything = [], []
            page.on("requestfinished", lambda request: own.append((request.url, _size(request))))
            context.on("requestfinished", lambda request: everything.append((request.url, _size(request))))
            page.goto(base + path, wait_until="load")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1000)  # let a service worker finish its background fetches
            page_urls = {url for url, _ in own}
            background = [(url, size) for url, size in everything if url not in page_urls]
            results[label] = {"bytes": sum(size for _, size in own), "requests": len(own),
                              "background": sum(size for _, size in background),
                              "detail": [(url[len(base):], size) for url, size in own]
                              + [("(background) " + url[len(base):], size) for url, size in background]}
            context.close()
        browser.close()
    return results


def main():
    with demo_server() as base:
        results = measure(base)
    figures = {}
    for label, result in results.items():
        verdict = "ok" if result["bytes"] <= BUDGET else "OVER BUDGET"
        print(f"{label:13} {PATHS[label]:22} {result['bytes'] / 1024:6.1f} KB "
              f"in {result['requests']:2d} requests "
              f"{verdict}; service worker in the background: {result['background'] / 1024:.1f} KB")
        figures[f"studio_weight_kb {label}"] = round(result["bytes"] / 1024, 1)
        if "-v" in sys.argv:
            for url, size in result["detail"]:
                print(f"    {size / 1024:6.1f} KB  {url[:100]}")
    return figures


if __name__ == "__main__":
    main()
