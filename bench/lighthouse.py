"""Lighthouse (mobile preset, default simulated throttling) scores for `/`, `/products/` and a product page.

    .venv/bin/python -m bench.lighthouse

Uses node_modules/.bin/lighthouse at the repository root (or the LIGHTHOUSE environment variable)
with Debian's Chromium, against the app started on the demo data. Prints "skipped: lighthouse not
installed" when neither is there.
"""
import json
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from bench._server import demo_server

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def _lighthouse_bin():
    candidate = os.environ.get("LIGHTHOUSE") or str(REPO_ROOT / "node_modules" / ".bin" / "lighthouse")
    return candidate if Path(candidate).exists() else None


def _run(binary, url):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lh.json"
        command = [binary, url, "--output=json", f"--output-path={out}", "--quiet",
                   "--only-categories=" + ",".join(CATEGORIES),
                   f"--chrome-flags={FLAGS} --user-data-dir={tmp}/profile"]
        subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, timeout=300,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        report = json.loads(out.read_text())
    scores = {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    scores["total_kb"] = round(report["audits"]["total-byte-weight"]["numericValue"] / 1024, 1)
    scores["lcp_ms"] = round(report["audits"]["largest-contentful-paint"]["numericValue"])
    failing = [key for key, audit in report["audits"].items()
               if audit.get("score") is not None and audit["score"] < 0.9
               and audit.get("scoreDisplayMode") in ("binary", "numeric")]
    return scores, failing


def main():
    binary = _lighthouse_bin()
    if binary is None or not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        print("skipped: lighthouse not installed (npm install at the repo root, or set LIGHTHOUSE=/path/to/lighthouse)")
        return {}
    figures = {}
    with demo_server() as base:
        html = urllib.request.urlopen(base + "/products/?available=1").read().decode()
        product = re.search(r'href="(/products/[^"?]+)"', html).group(1)
        for label, path in (("/", "/"), ("/products/", "/products/"), ("product page", product)):
            scores, failing = _run(binary, base + path)
            print(f"{label:14} performance {scores['performance']:3d}  accessibility {scores['accessibility']:3d}  "
                  f"best-practices {scores['best-practices']:3d}  seo {scores['seo']:3d}  "
                  f"({scores['total_kb']} KB, LCP {scores['lcp_ms']} ms)"
                  + (f"  below 0.9: {', '.join(failing)}" if failing else ""))
            for name in CATEGORIES:
                figures[f"lighthouse {label} {name}"] = scores[name]
    return figures


if __name__ == "__main__":
    main()
