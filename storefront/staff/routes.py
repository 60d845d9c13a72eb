"""/coop/: what needs attention first, then every staff page; /coop/payouts: whom the cooperative owes;
/coop/audit: the audit log in words."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from storefront.accounts.permissions import ADMIN, STAFF, allow
from storefront.catalog.present import language_name
from storefront.extensions import db
from storefront.formatting import sorted_by_name
from storefront.i18n import LOCALES, current_locale
from storefront.models import Artisan, AuditEntry, Product
from storefront.models.orders import ORDER_STATUSES
from storefront.staff import audit_words, bp, menu, translations, words
from storefront.staff.forms import ArtisanStoryForm, GarmentTextForm
from storefront.web_ids import page_arg

AUDIT_PAGE_SIZE = 50


def _owed_artisans():
    owed = dict(menu.balances_owed())
    artisans = db.session.execute(select(Artisan).where(Artisan.id.in_(owed))).scalars().all() if owed else []
    return [(artisan, owed[artisan.id]) for artisan in sorted_by_name(artisans, key=lambda a: a.display_name)]


@bp.route("/coop/")
@allow(*STAFF)
def home():
    counts = menu.order_counts()
    owed_count, owed_total = menu.owed_summary()
    return render_template(
        "staff/home.html", counts=counts, statuses=[s for s in ORDER_STATUSES if counts.get(s)],
        to_pack=sum(counts.get(s, 0) for s in menu.TO_PACK),
        to_ship=sum(counts.get(s, 0) for s in menu.TO_SHIP),
        to_review=sum(counts.get(s, 0) for s in menu.TO_REVIEW),
        owed_count=owed_count, owed_total=owed_total, to_translate=translations.count_to_do_kept(),
        items=menu.menu_for(current_user))


@bp.route("/coop/payouts")
@allow(*STAFF)
def payouts_owed():
    owed = _owed_artisans()
    return render_template("staff/payouts.html", owed=owed, total=sum(amount for _a, amount in owed))


@bp.app_template_global("staff_menu")
def staff_menu():
    return menu.menu_for(current_user) if current_user.is_authenticated and current_user.is_staff else []


@bp.app_template_filter("order_status")
def order_status_filter(code):
    return words.order_status(code)


def _language_name(code):
    return language_name(code, current_locale())


@bp.route("/coop/translations")
@allow(*STAFF)
def translation_queue():
    return render_template("staff/translations.html", items=translations.queue(),
                           language_name=_language_name, source=translations.SOURCE_LOCALE,
                           link=_translation_link)


def _translation_link(item, locale):
    if item.kind == "garment":
        return url_for("staff.translate_garment", product_id=item.id, locale=locale)
    return url_for("staff.translate_artisan", artisan_id=item.id, locale=locale)


def _product_or_404(product_id):
    product = db.session.execute(select(Product).where(Product.id == product_id)
                                 .options(selectinload(Product.translations))).scalar_one_or_none()
    if product is None:
        abort(404)
    return product


def _language_or_404(locale):
    if locale not in LOCALES or locale == translations.SOURCE_LOCALE:
        abort(404)
    return locale


def _saved(locale, field, save) -> bool:
    """Run `save`; a refused text is rolled back and shown under `field`, a saved one is flashed."""
    try:
        save()
    except translations.TranslationRefused:
        db.session.rollback()
        field.errors = list(field.errors) + [_("That could not be saved. Check the text.")]
        return False
    flash(_("Saved in %(language)s.", language=_language_name(locale)), "success")
    return True


@bp.route("/coop/translations/garments/<int:product_id>/<locale>", methods=["GET", "POST"])
@allow(*STAFF)
def translate_garment(product_id, locale):
    product, locale = _product_or_404(product_id), _language_or_404(locale)
    by_locale = {t.locale: t for t in product.translations}
    form = GarmentTextForm(obj=by_locale.get(locale) if request.method == "GET" else None)
    if form.validate_on_submit() and _saved(locale, form.title, lambda: translations.save_garment_text(
            product, locale, form.title.data, form.story.data, form.materials.data, current_user)):
        return redirect(url_for("staff.translation_queue"), 303)
    return render_template("staff/translate.html", form=form, language=_language_name(locale),
                           locale=locale, others=by_locale,
                           language_name=_language_name,
                           name=by_locale["es"].title if "es" in by_locale else product.slug)


@bp.route("/coop/translations/artisans/<int:artisan_id>/<locale>", methods=["GET", "POST"])
@allow(*STAFF)
def translate_artisan(artisan_id, locale):
    artisan = db.session.execute(select(Artisan).where(Artisan.id == artisan_id)
                                 .options(selectinload(Artisan.translations))).scalar_one_or_none()
    if artisan is None:
        abort(404)
    locale = _language_or_404(locale)
    by_locale = {t.locale: t for t in artisan.translations}
    form = ArtisanStoryForm(obj=by_locale.get(locale) if request.method == "GET" else None)
    if form.validate_on_submit() and _saved(locale, form.story, lambda: translations.save_artisan_story(
            artisan, locale, form.story.data, current_user)):
        return redirect(url_for("staff.translation_queue"), 303)
    return render_template("staff/translate.html", form=form, language=_language_name(locale),
                           locale=locale, others=by_locale,
                           language_name=_language_name, name=artisan.display_name)


@bp.route("/coop/audit")
@allow(ADMIN)
def audit_log():
    """Who changed what, newest first, in words and formatted amounts."""
    page = page_arg()
    total = db.session.scalar(select(func.count()).select_from(AuditEntry))
    entries = db.session.execute(
        select(AuditEntry).options(joinedload(AuditEntry.actor), joinedload(AuditEntry.artisan))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(AUDIT_PAGE_SIZE).offset((page - 1) * AUDIT_PAGE_SIZE)).scalars().all()
    return render_template("staff/audit.html", entries=entries, page=page,
                           has_next=page * AUDIT_PAGE_SIZE < total, audit_sentence=audit_words.sentence,
                           audit_changes=audit_words.changes)
