"""Steps the journeys share: logging in, photo files, a slow network."""
import re

from storefront.demo import textile_image

ARTISAN_LOGIN = ("maria-lopez-huixtan", "demo-artisan")
ADMIN_LOGIN = ("admin", "demo-admin")
COORDINATOR_LOGIN = ("coordinator", "demo-coordinator")


def log_in(v, username, password, check=True):
    """Log in through the real form; returns the page the app sends her to."""
    v.goto("/login")
    if check:
        v.check("login")
    v.page.fill("input[name=login]", username)
    v.page.fill("input[name=password]", password)
    with v.page.expect_navigation():
        v.page.locator("form:has(input[name=password]) [type=submit]").click()
    assert "/login" not in v.page.url, f"login as {username} failed: still on {v.page.url}"
    return v.page.url


def photo_files(tmp_path, count=2, seed=100):
    """Real JPEG photos (textile patterns drawn with Pillow, like the demo's)."""
    paths = []
    for n in range(count):
        path = tmp_path / f"photo-{seed + n}.jpg"
        path.write_bytes(textile_image(seed + n, 900, 1125))
        paths.append(str(path))
    return paths


def slow_network(v, kbytes_per_second=150, latency_ms=150):
    """A 3G-like link (DevTools network emulation), so upload progress is visible as on a phone."""
    session = v.context.new_cdp_session(v.page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency_ms,
        "downloadThroughput": kbytes_per_second * 1024, "uploadThroughput": kbytes_per_second * 1024})
    return session


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def normal_network(session):
    session.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
