"""Bytes the studio's pages transfer at 360x740 for a logged-in artisan, with an empty browser cache.

    .venv/bin/python -m bench.studio_weight [-v]

Starts the app on the demo data, logs in as a demo artisan in Debian's Chromium (Playwright), disables
the HTTP cache and service workers (a page a service worker answers reports no bytes, and the first
visit of a phone has none yet), and loads each studio page, summing the encoded (compressed) body and
header bytes of every response once it and its idle work have loaded. The service worker's own cost, paid
once per phone in the background (its script and Workbox, gzipped as served), is printed apart.
"""
from bench._server import demo_server
from bench.page_weight import ARGS, CHROMIUM, report
from storefront.config import REPO_ROOT
from storefront.web import gzip_body

STATIC = REPO_ROOT / "static"

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
            context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1,
                                          service_workers="block")
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
            own = []
            page.on("requestfinished", lambda request: own.append((request.url, _size(request))))
            page.goto(base + path, wait_until="load")
            page.wait_for_load_state("networkidle")
            results[label] = {"bytes": sum(size for _, size in own), "requests": len(own),
                              "detail": [(url[len(base):], size) for url, size in own]}
            context.close()
        browser.close()
    return results


def service_worker_bytes():
    """The service worker's script and what it imports (Workbox, idb, the queue), gzipped as served."""
    files = [REPO_ROOT / "templates/studio/sw.js", STATIC / "js/queue.js", STATIC / "vendor/idb/umd.js",
             *sorted((STATIC / "vendor/workbox").glob("*.js"))]
    return sum(len(gzip_body(path.read_bytes())) for path in files), len(files)


def main():
    with demo_server() as base:
        results = measure(base)
    figures = report(results, PATHS, "studio_weight_kb", lambda result: "{verdict}")
    worker, count = service_worker_bytes()
    print(f"service worker, once per phone in the background: {worker / 1024:.1f} KB in {count} files "
          "(plus the studio pages and files it keeps that the phone has not loaded yet)")
    figures["studio_weight_kb service worker"] = round(worker / 1024, 1)
    return figures


if __name__ == "__main__":
    main()
