"""Bytes of a one-minute voice story after the pipeline, and the weight of the studio pages.

    .venv/bin/python -m bench.voice

1. A one-minute phone recording (AAC in MP4, made on the fly: a tone, the hardest case for the
   encoder's constrained VBR) through storefront.media.audio: bytes kept, KB per minute (target
   <= 250 KB a minute).
2. The studio pages as the demo artisan sees them on a first visit: the page (gzip, as served), its
   stylesheet, icon and scripts, summed (target <= 150 KB each, the public pages' budget).
"""
import gzip
import http.cookiejar
import re
import time
import urllib.parse
import urllib.request

from bench._server import demo_server

BUDGET = 150 * 1024
STUDIO_PAGES = ("/studio/", "/studio/garments/new", "/studio/profile", "/studio/price")


def one_minute_story():
    from storefront import create_app
    from storefront.media.audio import transcode
    from tests.sounds import encoded
    with create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 40}).app_context():
        phone = encoded(60)
        started = time.perf_counter()
        kept, duration_ms = transcode(phone)
        seconds = time.perf_counter() - started
    print(f"one-minute story: phone file {len(phone):,} B -> kept {len(kept):,} B "
          f"({len(kept) / 1024 / (duration_ms / 60000):.0f} KB a minute, Opus/WebM), "
          f"transcoded in {seconds:.1f} s")
    return len(kept)


def _opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _get(opener, url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with opener.open(request) as response:
        body = response.read()
        return body, response.headers.get("Content-Encoding")


def studio_weights(base):
    opener = _opener()
    body, encoding = _get(opener, base + "/login")
    html = (gzip.decompress(body) if encoding == "gzip" else body).decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "login": "maria-lopez-huixtan",
                                   "password": "demo-artisan"}).encode()
    opener.open(urllib.request.Request(base + "/login", data=data))
    figures = {}
    for path in STUDIO_PAGES:
        body, encoding = _get(opener, base + path)
        html = (gzip.decompress(body) if encoding == "gzip" else body).decode()
        assets = re.findall(r'<link rel="(?:stylesheet|icon)" href="([^"]+)"', html)
        assets += re.findall(r'<script src="([^"]+)"', html)
        total = len(body) + sum(len(_get(opener, base + a)[0]) for a in assets)
        verdict = "ok" if total <= BUDGET else "OVER BUDGET"
        print(f"{path:24} {total / 1024:6.1f} KB in {1 + len(assets)} requests "
              f"(page {len(body) / 1024:.1f} KB gzip) {verdict}")
        figures[path] = total
    return figures


def main():
    one_minute_story()
    with demo_server() as base:
        studio_weights(base)


if __name__ == "__main__":
    main()
