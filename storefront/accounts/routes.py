"""Login (rate-limited), one-time codes, people, the audit log and the cooperative's settings."""
import time
from urllib.parse import urlsplit

from flask import (abort, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from storefront.accounts import bp, people, throttle, twofactor
from storefront.accounts.forms import (ArtisanPersonForm, CooperativeSettingsForm, LoginForm, NewPasswordForm,
                                       StaffPersonForm, TwoFactorForm, TwoFactorOffForm)
from storefront.accounts.permissions import (ADMIN, ARTISAN, COORDINATOR, EVERYONE_LOGGED_IN, PUBLIC, STAFF,
                                             allow, load_user_by_session_id, private)
from storefront.accounts.services import (audit, authenticate, authenticate_with_code, find_user,
                                          issue_one_time_code, log_out_everywhere, set_password)
from storefront.extensions import db, limiter
from storefront.models import Artisan, LoginBlock, User, now_utc


def _safe_next(target):
    """Only same-site paths: never redirect to another host after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return None


def home_for(user):
    return url_for("staff.home") if user.is_staff else url_for("studio.index")


def _failed(response):
    """Only failed attempts count: a successful login (or its second step) redirects."""
    return response.status_code != 302


def _too_many_attempts(request_limit, kind):
    """Say plainly why the login refuses, on the login page itself (429), and keep the block visible."""
    block = (throttle.record_pair_block if kind == "pair" else throttle.record_address_block)(request_limit)
    minutes = max(1, -(-int((block.blocked_until - now_utc()).total_seconds()) // 60))
    message = _("Too many failed attempts from this phone or computer. For your safety, wait "
                "%(minutes)s minutes and try again, or ask your coordinator for a one-time code.",
                minutes=minutes)
    return make_response(render_template("accounts/login.html", form=LoginForm(), limit_message=message),
                         429)


PASSWORD_CHANGE_EXEMPT = {"accounts.new_password", "accounts.logout", "static", "media.derivative"}
ENROLMENT_EXEMPT = PASSWORD_CHANGE_EXEMPT | {"accounts.two_factor_setup"}


@bp.before_app_request
def require_new_password():
    """After logging in with a one-time code, she chooses her own password before anything else;
    an admin without two-factor sets it up before anything else."""
    if not current_user.is_authenticated:
        return None
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_EXEMPT:
        return redirect(url_for("accounts.new_password"))
    if (current_user.two_factor_required and not current_user.two_factor_enabled
            and request.endpoint not in ENROLMENT_EXEMPT):
        return redirect(url_for("accounts.two_factor_setup"))
    return None


def _fresh_session():
    """A new session on login (no fixation); the language she chose survives."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _complete_login(user, next_url, how):
    _fresh_session()
    login_user(user)
    user.last_login_at = now_utc()
    audit("login.success", "user", user.id, artisan_id=user.artisan_id, actor=user,
          note=f"{how} from {throttle.client_address()}")
    db.session.commit()
    if user.must_change_password:
        return redirect(url_for("accounts.new_password"))
    if user.two_factor_required and not user.two_factor_enabled:
        return redirect(url_for("accounts.two_factor_setup"))
    return redirect(_safe_next(next_url) or home_for(user))


@bp.route("/login", methods=["GET", "POST"])
@allow(PUBLIC)
@limiter.limit(throttle.address_limits, key_func=throttle.address_key, methods=["POST"], deduct_when=_failed,
               on_breach=lambda limit: _too_many_attempts(limit, "address"))
@limiter.limit(throttle.pair_limits, key_func=throttle.pair_key, methods=["POST"], deduct_when=_failed,
               on_breach=lambda limit: _too_many_attempts(limit, "pair"))
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.login.data, form.password.data) \
            or authenticate_with_code(form.login.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The user name or the password is not right. Try again."))
            known = find_user(form.login.data)
            audit("login.failed", "user", known.id if known else None,
                  artisan_id=known.artisan_id if known else None,
                  note=f"{throttle.login_name()} from {throttle.client_address()}")
            db.session.commit()
        elif user.two_factor_enabled:
            _fresh_session()
            session[PENDING_KEY] = user.get_id()
            session[PENDING_AT_KEY] = int(time.time())
            session[PENDING_NEXT_KEY] = _safe_next(request.args.get("next"))
            db.session.commit()  # a spent one-time code stays spent
            return redirect(url_for("accounts.two_factor_login"))
        else:
            return _complete_login(user, request.args.get("next"), "password")
    return render_template("accounts/login.html", form=form)


PENDING_KEY = "two_factor_pending"
PENDING_NEXT_KEY = "two_factor_next"
PENDING_AT_KEY = "two_factor_at"
PENDING_SECONDS = 10 * 60  # the password step is forgotten after this, on a phone left unattended


def _pending_user():
    """The person who gave the right password and still owes a code (same session token), or None."""
    if time.time() - session.get(PENDING_AT_KEY, 0) > PENDING_SECONDS:
        return None
    return load_user_by_session_id(session.get(PENDING_KEY))


def _pending_key():
    return f"login-code:{session.get(PENDING_KEY, '')}|{throttle.client_address()}"


@bp.route("/login/code", methods=["GET", "POST"])
@allow(PUBLIC)
@private
@limiter.limit("5 per 15 minutes", key_func=_pending_key, methods=["POST"], deduct_when=_failed)
def two_factor_login():
    """Second step of a staff login: a code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        return redirect(url_for("accounts.login"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        if twofactor.verify_login_code(user, form.code.data):
            return _complete_login(user, session.get(PENDING_NEXT_KEY), "password and code")
        form.code.errors.append(_("This code is not right, or it was already used. Try the newest one."))
        audit("login.failed", "user", user.id, actor=user,
              note=f"wrong second-step code from {throttle.client_address()}")
        db.session.commit()
    return render_template("accounts/two_factor_login.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@allow(ADMIN, COORDINATOR)
def two_factor_setup():
    """Set up (or, for a coordinator, turn off) the login code of an authenticator app."""
    if current_user.two_factor_enabled:
        return render_template("accounts/two_factor_on.html", form=TwoFactorOffForm())
    secret = session.get(ENROL_SECRET_KEY)
    if not secret:
        secret = session[ENROL_SECRET_KEY] = twofactor.new_secret()
    form = TwoFactorForm()
    if form.validate_on_submit():
        codes = twofactor.confirm_enrolment(current_user, secret, form.code.data)
        if codes is not None:
            session.pop(ENROL_SECRET_KEY, None)
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes)
        form.code.errors.append(_("This code is not right. Check the time of your phone and type the newest "
                                  "code."))
    uri = twofactor.provisioning_uri(secret, current_user.username)
    return render_template("accounts/two_factor_setup.html", form=form, secret=secret, uri=uri,
                           qr=twofactor.qr_svg_data_uri(uri),
                           forced=current_user.two_factor_required)


ENROL_SECRET_KEY = "two_factor_enrol_secret"


@bp.route("/account/two-factor/off", methods=["POST"])
@allow(COORDINATOR)
def two_factor_off():
    """A coordinator may turn it off again (admins must keep it)."""
    form = TwoFactorOffForm()
    if form.validate_on_submit():
        twofactor.turn_off(current_user)
        db.session.commit()
        flash(_("Login codes are turned off."), "info")
    return redirect(url_for("accounts.two_factor_setup"))


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
        user = current_user._get_current_object()
        set_password(user, form.password.data)  # ends every other session of hers
        db.session.commit()
        login_user(user)  # this one goes on, under the new session token
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


@bp.route("/coop/people/<id:user_id>/logout-everywhere", methods=["POST"])
@allow(ADMIN)
def logout_everywhere(user_id):
    """End every open session of a person (a lost or shared phone); she logs in again."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        abort(403)
    log_out_everywhere(user, actor=current_user)
    db.session.commit()
    flash(_("%(name)s is logged out on every phone and computer.", name=user.username), "info")
    return redirect(url_for("accounts.people_list"))


@bp.route("/coop/people/login-blocks")
@allow(*STAFF)
def login_blocks():
    """Logins blocked after too many failures, and a button to let each one try again at once."""
    return render_template("accounts/login_blocks.html", blocks=throttle.active_blocks(),
                           minutes=throttle.BLOCK_MINUTES)


@bp.route("/coop/people/login-blocks/<id:block_id>/clear", methods=["POST"])
@allow(*STAFF)
def clear_login_block(block_id):
    block = db.get_or_404(LoginBlock, block_id)
    if block.cleared_at is None:
        throttle.clear_block(block, current_user)
        db.session.commit()
    flash(_("The block is lifted: this phone or computer can try to log in again."), "info")
    return redirect(url_for("accounts.login_blocks"))
