"""The studio without signal: the service worker's script and a fresh CSRF token for the phone's queue.

static/js/offline.js keeps a garment prepared with no connection in the phone's IndexedDB and sends it
when the connection returns, to the same garment form (`studio.new_garment`) with the draft's own
`draft_key`, so a send interrupted and retried makes one garment. A draft may wait for days and she may
have logged out and in again meanwhile (a new session, a new CSRF secret): the token it sends is asked
for here at sending time, never the one of the page she prepared it on.
"""
from flask import jsonify, make_response, render_template
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from storefront.accounts.permissions import EVERYONE_LOGGED_IN, allow
from storefront.studio import bp


@bp.route("/sw.js")
@allow(*EVERYONE_LOGGED_IN)
def service_worker():
    """The service worker, served under /studio/ so that its scope is the studio (and never the buyer
    pages). Registered from studio pages, so by someone logged in; like every studio view it is not for
    anonymous visitors (a logged-out phone's update check is refused and keeps the worker it has), and
    answered `no-store`, so the phone always asks for the current one."""
    response = make_response(render_template("studio/sw.js"))
    response.mimetype = "text/javascript"
    return response


@bp.route("/offline/token")
@allow(*EVERYONE_LOGGED_IN)
def offline_token():
    """A CSRF token for this session and who she is, asked for just before the queue sends a draft
    (a draft prepared by another account on the same phone is not sent under hers)."""
    return jsonify(csrf_token=generate_csrf(), user=current_user.id)
