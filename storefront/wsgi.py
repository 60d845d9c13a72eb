"""The app for a WSGI server: `gunicorn … storefront.wsgi:app` (docs/deployment.md §1).

Each worker builds the app once, then freezes what exists at that moment (modules, routes, compiled
templates, the app itself: some 180,000 objects that live as long as the process) out of the garbage
collector's reach. Without it an occasional full collection walks them all in the middle of a
request: 60 ms or more added to whichever page was being rendered (seen in bench.catalog's p99).
"""
import gc

from storefront import create_app

app = create_app()
gc.freeze()
