"""The browser set-up itself: the demo shop opens in Debian's Chromium and passes axe at both sizes."""


def test_home_and_login_open_and_pass_axe(visit, live_server):
    v = visit(locale="en-US")
    v.goto("/")
    assert v.page.locator("main").count() == 1
    v.check("home")
    v.goto("/login")
    assert v.page.locator("input[name=password]").count() == 1
    v.check("login")
    assert len(v.checked) == 2
