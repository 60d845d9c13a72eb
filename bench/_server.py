"""Start the storefront on a throw-away copy of the demo data, in a background thread."""
import logging
import tempfile
import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

from devtools.local_stripe import free_port


@contextmanager
def demo_server():
    """Yield the base URL of a running app with the demo cooperative loaded."""
    from flask_migrate import upgrade

    from storefront import create_app
    from storefront.demo import load_demo
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/demo.sqlite3",
                          "MEDIA_ROOT": f"{tmp}/media",
                          "SECRET_KEY": "bench-secret-key-0123456789abcdef0123456789",
                          "RATELIMIT_STORAGE_URI": "memory://", "LOG_REQUESTS": False})
        with app.app_context():
            upgrade()
            load_demo()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.shutdown()
            with app.app_context():
                from storefront.extensions import db
                db.engine.dispose()
