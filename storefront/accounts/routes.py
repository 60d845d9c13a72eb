from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from urllib.parse import urlsplit

from storefront.accounts import bp
from storefront.accounts.forms import LoginForm
from storefront.accounts.permissions import EVERYONE_LOGGED_IN, PUBLIC, allow
from storefront.accounts.services import authenticate
from storefront.extensions import db
from storefront.models import now_utc


def _safe_next(target):
    """Only same-site paths: never redirect to another host after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


def home_for(user):
    return url_for("earnings.coop_earnings") if user.is_staff else url_for("studio.index")


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The user name or the password is not right. Try again."))
        else:
            lang = session.get("lang")
            session.clear()  # a fresh session on login (no fixation)
            if lang:
                session["lang"] = lang
            login_user(user)
            user.last_login_at = now_utc()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def logout():
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("catalog.home"))
