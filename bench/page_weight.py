"""Bytes a first visit transfers at 360x740 for `/`, `/products/` and a product page (target <= 100 KB each
at one device pixel per CSS pixel; the same pages on a denser phone screen, two device pixels, are printed
beside them for information).

    .venv/bin/python -m bench.page_weight

Starts the app on the demo data and loads each page in Debian's Chromium through Playwright with an
empty cache, summing the encoded (compressed) body and header bytes of every response once the page
and its lazy images in reach have loaded. Without Chromium or Playwright it falls back to parsing
the HTML: the page, its stylesheet, icon and every image not marked loading="lazy".
"""
import gzip
import re
import shutil
import sys
import urllib.request
from pathlib import Path

from bench._server import demo_server

BUDGET = 100 * 1024
SCALES = (1, 2)
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _product_path(base):
    html = urllib.request.urlopen(base + "/products/?available=1").read().decode()
    return re.search(r'href="(/products/[^"?]+)"', html).group(1)


def _with_browser(base, paths, scale=1):
    from playwright.sync_api import sync_playwright
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for label, path in paths.items():
            context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=scale)
            page = context.new_page()
            sizes = []
            page.on("requestfinished", lambda request: sizes.append((request.url, request.sizes())))
            page.goto(base + path, wait_until="load")
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(300)
            total = sum(s["responseBodySize"] + s["responseHeadersSize"] for _, s in sizes)
            third_party = [url for url, _ in sizes if not url.startswith(base)]
            results[label] = {"bytes": total, "requests": len(sizes), "third_party": len(third_party),
                              "detail": [(url[len(base):], s["responseBodySize"] + s["responseHeadersSize"])
                                         for url, s in sizes]}
            context.close()
        browser.close()
    return results


def _fetch(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        return response.read(), response.headers.get("Content-Encoding")


def _by_parsing(base, paths):
    results = {}
    for label, path in paths.items():
        body, encoding = _fetch(base + path)
        html = gzip.decompress(body).decode() if encoding == "gzip" else body.decode()
        urls = re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', html)
        for tag in re.findall(r"<picture>.*?</picture>", html, re.S):
            if 'loading="lazy"' not in tag:
                srcset = re.search(r'type="image/webp" srcset="([^"]+)"', tag)
                urls.append(srcset.group(1).split(",")[0].split()[0] if srcset else
                            re.search(r'src="([^"]+)"', tag).group(1))
        total = len(body) + sum(len(_fetch(base + u)[0]) for u in urls)
        results[label] = {"bytes": total, "requests": 1 + len(urls), "third_party": 0}
    return results


def main():
    with demo_server() as base:
        paths = {"/": "/", "/products/": "/products/", "product page": _product_path(base)}
        try:
            import playwright  # noqa: F401
            usable = Path(CHROMIUM).exists() or shutil.which("chromium")
        except ImportError:
            usable = False
        method = "chromium 360x740" if usable else "parsed HTML (no chromium/playwright)"
        by_scale = {scale: _with_browser(base, paths, scale) for scale in SCALES} if usable \
            else {1: _by_parsing(base, paths)}
    figures = {}
    for scale, results in by_scale.items():
        verdict = "{verdict}" if scale == 1 else "(for information)"
        figures.update(report(
            results, paths, "page_weight_kb" + ("" if scale == 1 else f" @{scale}x"),
            lambda result, verdict=verdict, scale=scale:
                f"({result['third_party']} third-party) {verdict} [{method}, {scale} device px/px]"))
    return figures


def report(results, paths, figure, note):
    """Print one line per page (bytes, requests, `note(result)` with `{verdict}` against the budget), its
    responses with -v; return the figures `make bench` tabulates, named `<figure> <label>`."""
    figures = {}
    for label, result in results.items():
        verdict = "ok" if result["bytes"] <= BUDGET else "OVER BUDGET"
        print(f"{label:14} {paths[label]:40} {result['bytes'] / 1024:7.1f} KB "
              f"in {result['requests']:2d} requests " + note(result).format(verdict=verdict))
        figures[f"{figure} {label}"] = round(result["bytes"] / 1024, 1)
        if "-v" in sys.argv:
            for url, size in result.get("detail", []):
                print(f"    {size / 1024:6.1f} KB  {url[:100]}")
    return figures


if __name__ == "__main__":
    main()
