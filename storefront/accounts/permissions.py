"""The one authorization mechanism: every view declares who may call it; undeclared views are refused.

`@allow(PUBLIC)` for buyer pages, `@allow(ARTISAN, COORDINATOR, ADMIN)` for the studio, and so on.
`enforce_access` runs before every request. Ownership of an artisan's things is checked with
`artisan_scope_or_404`: an artisan asking for another's garment gets a 404, never a hint.
"""
import hmac

from flask import abort, current_app, request
from flask_login import current_user
from flask_babel import lazy_gettext as _l

from storefront.extensions import db
from storefront.models import Role, User
from storefront.web_ids import MAX_DB_ID

PUBLIC = "public"
ADMIN = Role.ADMIN.value
COORDINATOR = Role.COORDINATOR.value
ARTISAN = Role.ARTISAN.value
STAFF = (ADMIN, COORDINATOR)
EVERYONE_LOGGED_IN = (ADMIN, COORDINATOR, ARTISAN)


def allow(*roles):
    """Declare who may call a view."""
    def decorate(view):
        view.allowed_roles = frozenset(roles)
        return view
    return decorate


def private(view):
    """A view open to anyone that still answers one person only (an order by its token, the cart):
    its responses are never stored by a browser or a proxy."""
    view.private_response = True
    return view


def no_store_unless_public(response):
    """after_request: every response of a view that is not public says `Cache-Control: no-store`, so
    a shared phone's browser or a proxy keeps no copy of studio, cooperative, account pages or exports.
    Public pages keep the caching headers their own code gives them."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    roles = getattr(view, "allowed_roles", None)
    if roles is None:
        return response
    if PUBLIC not in roles or getattr(view, "private_response", False):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response.headers.pop("ETag", None)
    return response


def enforce_access():
    """before_request: refuse what the view does not allow; views that declare nothing are refused."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    roles = getattr(view, "allowed_roles", None)
    if roles is None:
        current_app.logger.error("view %s declares no access rule; refused", request.endpoint)
        abort(403)
    if PUBLIC in roles:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None


def can_act_for(artisan_id):
    """Staff act for every artisan; an artisan only for herself."""
    if not current_user.is_authenticated:
        return False
    return current_user.is_staff or current_user.artisan_id == artisan_id


def artisan_scope_or_404(artisan_id):
    """404 (not 403) when the current user may not see this artisan's things."""
    if not can_act_for(artisan_id):
        abort(404)


def init_login_manager(login_manager):
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    # "basic", not "strong": strong mode rewrites every anonymous session that holds anything (her
    # cart, her currency) on every request, static files and photos included, so each response
    # carries a Set-Cookie and a photo answered late can put back a cookie without the garment she
    # has just added. It would also log an artisan out whenever her phone's carrier changes its
    # address, which on 3G happens mid-upload. Stolen sessions end through the session token
    # (load_user_by_session_id) and staff confirm logins with a second step.
    login_manager.session_protection = "basic"

    login_manager.user_loader(load_user_by_session_id)


def load_user_by_session_id(session_id):
    """The user of a session id "<user id>:<session token>" whose token is still the user's own.

    The id comes from `User.get_id`; a password change or reset, or an admin's "log out
    everywhere", replaces the token and every older session and remember-me cookie stops working.
    """
    user_id, _, token = str(session_id or "").partition(":")
    if not user_id.isdigit() or len(user_id) > 10 or not token or int(user_id) > MAX_DB_ID:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active_account \
            or not hmac.compare_digest(user.session_token.encode(), token.encode()):
        return None
    return user
