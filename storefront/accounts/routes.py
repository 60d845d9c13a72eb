"""Login (rate-limited), one-time codes, people, the audit log and the cooperative's settings."""
from urllib.parse import urlsplit

from flask import (abort, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from storefront.accounts import audit_words, bp, people
from storefront.accounts.forms import (ArtisanPersonForm, CooperativeSettingsForm, LoginForm, NewPasswordForm,
                                       StaffPersonForm)
from storefront.accounts.permissions import ADMIN, ARTISAN, EVERYONE_LOGGED_IN, PUBLIC, STAFF, allow
from storefront.accounts.services import (authenticate, authenticate_with_code, find_user,
                                          issue_one_time_code, set_password)
from storefront.extensions import db, limiter
from storefront.models import Artisan, AuditEntry, User, now_utc

AUDIT_PAGE_SIZE = 50


def _safe_next(target):
    """Only same-site paths: never redirect to another host after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


def home_for(user):
    return url_for("staff.home") if user.is_staff else url_for("studio.index")


def _account_key():
    """Rate-limit key for the account being tried, whether named by user name or phone number."""
    login = (request.form.get("login") or "").strip().lower()[:64]
    user = find_user(login)
    return f"login-account:{user.id}" if user is not None else f"login-name:{login}"


def _per_account_limit():
    return current_app.config.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")


def _per_address_limit():
    return current_app.config.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")


def _failed(response):
    """Only failed attempts count: a successful login redirects."""
    return response.status_code != 302


def _too_many_attempts(request_limit):
    """Say plainly why the login refuses, on the login page itself (429)."""
    form = LoginForm()
    message = _("Too many failed attempts. For your safety, wait 15 minutes and try again, "
                "or ask your coordinator for a one-time code.")
    return make_response(render_template("accounts/login.html", form=form, limit_message=message), 429)


PASSWORD_CHANGE_EXEMPT = {"accounts.new_password", "accounts.logout", "static", "media.derivative"}


@bp.before_app_request
def require_new_password():
    """After logging in with a one-time code, she chooses her own password before anything else."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_EXEMPT):
        return redirect(url_for("accounts.new_password"))
    return None


@bp.errorhandler(429)
def rate_limited(error):
    """The login page's own 429 (built by `_too_many_attempts`), else the site's error page."""
    from storefront.system.errors import render_error
    return error.response if getattr(error, "response", None) is not None else render_error(429)


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(_per_address_limit, methods=["POST"], deduct_when=_failed, on_breach=_too_many_attempts)
@limiter.limit(_per_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed,
               on_breach=_too_many_attempts)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data) \
            or authenticate_with_code(form.login.data, form.password.data)
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
            if user.must_change_password:
                return redirect(url_for("accounts.new_password"))
            return redirect(_safe_next(request.args.get("next")) or home_for(user))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def logout():
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("catalog.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*EVERYONE_LOGGED_IN)
def new_password():
    """Choose a new password (required after logging in with a one-time code)."""
    form = NewPasswordForm()
    if form.validate_on_submit():
        set_password(current_user, form.password.data)
        db.session.commit()
        flash(_("Your new password is saved."), "info")
        return redirect(home_for(current_user))
    return render_template("accounts/new_password.html", form=form)


@bp.route("/coop/people")
@allow(*STAFF)
def people_list():
    artisans = db.session.execute(
        select(Artisan).options(joinedload(Artisan.user)).order_by(Artisan.display_name)).scalars().all()
    staff = db.session.execute(select(User).where(
        User.role != ARTISAN).order_by(User.username)).scalars().all()
    return render_template("accounts/people.html", artisans=artisans, staff=staff)


PERSON_MESSAGES = {
    "password_required": lambda: _("Write a password for her login, or leave the user name empty."),
    "username_taken": lambda: _("This user name is already used. Choose another one."),
    "phone_taken": lambda: _("This phone number is already used by another login."),
    "role_unknown": lambda: _("Choose a role."),
}


@bp.route("/coop/people/artisans/new", methods=["GET", "POST"])
@allow(ADMIN)
def add_artisan():
    form = ArtisanPersonForm()
    if form.validate_on_submit():
        try:
            artisan = people.add_artisan(form.display_name.data, form.community.data, form.municipality.data,
                                         form.languages.data, form.story.data, username=form.username.data,
                                         password=form.password.data, phone=form.phone.data)
        except people.PersonRejected as error:
            getattr(form, error.field).errors.append(PERSON_MESSAGES[error.message]())
        else:
            flash(_("%(name)s was added.", name=artisan.display_name), "info")
            return redirect(url_for("accounts.people_list"))
    return render_template("accounts/person_form.html", form=form, heading=_("Add an artisan"))


@bp.route("/coop/people/staff/new", methods=["GET", "POST"])
@allow(ADMIN)
def add_staff():
    form = StaffPersonForm()
    if form.validate_on_submit():
        try:
            user = people.add_staff(form.username.data, form.role.data, form.password.data, form.email.data)
        except people.PersonRejected as error:
            getattr(form, error.field).errors.append(PERSON_MESSAGES[error.message]())
        else:
            flash(_("%(name)s was added.", name=user.username), "info")
            return redirect(url_for("accounts.people_list"))
    return render_template("accounts/person_form.html", form=form, heading=_("Add a coordinator or admin"))


@bp.route("/coop/people/<int:user_id>/reset", methods=["POST"])
@allow(*STAFF)
def reset_password(user_id):
    """Give a person a one-time code; coordinators may do it for artisans only."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id or (not current_user.is_admin and user.role != ARTISAN):
        abort(403)
    code = issue_one_time_code(user)
    db.session.commit()
    return render_template("accounts/one_time_code.html", person=user, code=code)


@bp.route("/coop/audit")
@allow(ADMIN)
def audit_log():
    page = max(1, request.args.get("page", 1, type=int))
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    entries = db.session.execute(
        select(AuditEntry).options(joinedload(AuditEntry.actor), joinedload(AuditEntry.artisan))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_PAGE_SIZE).offset((page - 1) * AUDIT_PAGE_SIZE)).scalars().all()
    return render_template("accounts/audit.html", entries=entries, page=page,
                           has_next=page * AUDIT_PAGE_SIZE < total, audit_sentence=audit_words.sentence,
                           audit_changes=audit_words.changes)


@bp.route("/coop/settings", methods=["GET", "POST"])
@allow(ADMIN)
def cooperative_settings():
    form = CooperativeSettingsForm(data=None if request.method == "POST" else people.settings_values())
    if form.validate_on_submit():
        changes = people.update_settings(form.commission_percent.data, form.fair_hourly_rate.data,
                                         form.overhead_percent.data)
        flash(_("The settings are saved.") if changes else _("Nothing changed."), "info")
        return redirect(url_for("accounts.cooperative_settings"))
    return render_template("accounts/settings.html", form=form)
