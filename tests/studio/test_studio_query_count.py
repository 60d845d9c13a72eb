"""The studio home costs the same number of SQL statements with 2 garments as with 12."""
from sqlalchemy import event

from storefront.extensions import db
from tests.factories import PASSWORD


def _statements(app, client, path):
    sent = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: sent.append(args[2])  # noqa: E731 - the statement text, for the failure message
    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return sent


def test_studio_home_query_count_does_not_grow_with_her_garments(app, ctx, client, auth, make):
    artisan = make.artisan(with_login=True)
    for n in range(2):
        make.product(artisan=artisan, title=f"Prenda {n}")
    auth.login(artisan.slug, PASSWORD)
    client.get("/studio/")
    few = _statements(app, client, "/studio/")
    for n in range(10):
        make.product(artisan=artisan, title=f"Otra {n}", status="draft" if n % 2 else "published")
    client.get("/studio/")  # as before the first count: the same state of the test's session
    many = _statements(app, client, "/studio/")
    assert len(many) == len(few), many
