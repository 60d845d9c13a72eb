"""The studio: her garments, the garment form with photos, status changes, uploads, the calculator."""
import re
import secrets

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from storefront import formatting
from storefront.accounts.fields import choices
from storefront.accounts.permissions import EVERYONE_LOGGED_IN, allow, artisan_scope_or_404
from storefront.cooperative import fee_policy
from storefront.extensions import db
from storefront.media import uploads
from storefront.media.pipeline import ImageRejected, rejection_message, store_image
from storefront.web_ids import id_arg, page_arg, parse_id
from storefront.models import Artisan, Product
from storefront.studio import bp, calculator, garments, present
from storefront.studio.forms import MAX_PHOTOS, CalculatorForm, GarmentForm
from storefront.studio.voice import collect_voice, voice_context
from storefront.voice import stories

GARMENT_MESSAGES = {
    "photos_missing": lambda: _("Add at least one photo of the garment."),
    "photos_too_many": lambda: _("A garment can have 8 photos at most. Choose up to 8."),
    "no_stock": lambda: _("To publish it, write how many you have (at least 1)."),
    "unknown_action": lambda: _("That action is not possible."),
}


def _artisan_choices():
    rows = db.session.execute(select(Artisan.id, Artisan.display_name).where(Artisan.active)
                              .order_by(Artisan.display_name)).all()
    return [(row.id, row.display_name) for row in rows]


def _garment_form(product=None):
    """The form, with the artisan picker for staff only and the English fields for staff only."""
    form = GarmentForm()
    if current_user.is_staff:
        form.artisan_id.choices = choices(_artisan_choices())
    else:
        del form.artisan_id
        del form.title_en
        del form.story_en
    if product is not None and request.method == "GET":
        snapshot = garments.garment_snapshot(product)
        form.title.data = snapshot["title"]
        form.story.data = snapshot["story"]
        form.materials.data = snapshot["materials"]
        form.category.data = product.category
        form.technique.data = product.technique
        form.hours_of_work.data = product.hours_of_work
        form.sizes.data = product.sizes
        form.weight_grams.data = product.weight_grams
        form.materials_cost.data = calculator.pesos(product.materials_cost_amount)
        form.price.data = calculator.pesos(product.price_amount)
        form.stock.data = product.stock
        if current_user.is_staff:
            form.artisan_id.data = product.artisan_id
            form.title_en.data = snapshot["title_en"]
            form.story_en.data = snapshot["story_en"]
    elif product is None and request.method == "GET" and current_user.is_staff:
        form.artisan_id.data = id_arg("artisan")
    return form


def _collect_photos(product=None):
    """Photos of this submit: kept, removed, pending from an earlier submit, and newly sent files.

    Newly sent files are processed at once; accepted ones become pending tokens (kept if the submit
    fails elsewhere), refused ones give an error message each and leave nothing on disk.
    """
    choice = garments.PhotoChoice()
    errors, pending = [], []
    if product is not None:
        removed = {parse_id(v) for v in request.form.getlist("remove_image")} - {None}
        for image in product.images:
            if image.id in removed:
                choice.remove.add(image.id)
            else:
                choice.keep[image.id] = request.form.get(f"image_alt-{image.id}", image.alt_text).strip()
    for index, token in enumerate(request.form.getlist("pending")[:MAX_PHOTOS]):
        stored = uploads.read_pending_token(token, current_user.id)
        if stored is not None:
            alt = request.form.get(f"pending_alt-{index}", "").strip()
            choice.new.append((stored, alt))
            pending.append({"token": token, "hash": stored.content_hash, "width": stored.width, "alt": alt})
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if len(files) + choice.count > MAX_PHOTOS:
        errors.append(GARMENT_MESSAGES["photos_too_many"]())
        files = []  # nothing of an impossible batch is processed or stored
    for upload in files:
        try:
            stored = store_image(upload.read(uploads.MAX_BYTES_PLUS_ONE))
        except ImageRejected as error:
            errors.append(_("%(file)s: %(problem)s",
                          file=upload.filename[:80], problem=rejection_message(error.code)))
            continue
        token = uploads.pending_token(stored, current_user.id)
        choice.new.append((stored, ""))
        pending.append({"token": token, "hash": stored.content_hash, "width": stored.width, "alt": ""})
    return choice, pending, errors


def _render_form(form, product=None, pending=(), photo_errors=(), status=200, voice=None):
    draft_key = None if product is not None else (_draft_key() or secrets.token_urlsafe(18))
    estimate = calculator.estimate_from_form(form, fee_policy())
    story = stories.story_of(product.artisan_id, product.id) if product is not None else None
    voice = voice or {}
    return render_template("studio/garment_form.html", form=form, product=product, pending=pending,
                           photo_errors=photo_errors, estimate=estimate, max_photos=MAX_PHOTOS,
                           max_photo_bytes=uploads.MAX_BYTES,
                           voice=voice_context(story, voice.get("pending"), voice.get("error")),
                           draft_key=draft_key), status


DRAFT_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _draft_key():
    """The form's idempotency key (made when the form was first shown, or by the phone's offline draft)."""
    key = request.form.get("draft_key", "")
    return key if DRAFT_KEY.match(key) else None


def _collect_voice():
    """The recording of this submit (see storefront.studio.voice) and what the form shows again."""
    recording, pending, error = collect_voice()
    return recording, {"pending": pending, "error": error}


@bp.route("/")
@allow(*EVERYONE_LOGGED_IN)
def index():
    artisan_id = current_user.artisan_id if not current_user.is_staff else id_arg("artisan")
    listing = garments.garments_page(artisan_id, page_arg())
    shown_artisan = artisan_id if current_user.is_staff else None
    return render_template("studio/index.html", garments=present.listed_garments(listing.garments),
                           listing=listing,
                           artisans=_artisan_choices() if current_user.is_staff else [],
                           selected_artisan=artisan_id,
                           page_link=lambda page: url_for("studio.index", artisan=shown_artisan, page=page))


def _back_to_list(product, artisan_id=None):
    """The studio list at the page showing `product` (filtered by `artisan_id` for staff)."""
    page = garments.page_of(product, artisan_id or current_user.artisan_id)
    return redirect(url_for("studio.index", artisan=artisan_id, page=page if page > 1 else None,
                            _anchor=f"garment-{product.id}"))


def _from_queue():
    """Sent by the phone's offline queue (static/js/offline.js), which reads JSON, not a page."""
    return request.accept_mimetypes.best == "application/json"


def _queue_refusal(messages):
    """The queue shows these messages beside the draft and keeps it; it does not send it again."""
    return jsonify(arrived=False, errors=[str(message) for message in messages]), 422


def _queue_arrival(product, repeated):
    """The queue removes the draft from the phone and links to the garment; `repeated` when an earlier
    send (interrupted before its answer reached the phone) had already made it."""
    return jsonify(arrived=True, repeated=repeated, id=product.id,
                   url=url_for("studio.edit_garment", product_id=product.id)), 200 if repeated else 201


def _form_messages(form, *more):
    """Every message the form would show in red, in order, for the queue to show beside the draft."""
    return [str(message) for errors in form.errors.values() for message in errors] + [m for m in more if m]


@bp.route("/garments/new", methods=["GET", "POST"])
@allow(*EVERYONE_LOGGED_IN)
def new_garment():
    form = _garment_form()
    if request.method == "GET":
        return _render_form(form)
    photos, pending, photo_errors = _collect_photos()
    recording, voice = _collect_voice()
    action = request.form.get("action", "draft")
    if not form.validate_on_submit() or photo_errors or voice["error"] or action == "calculate":
        if _from_queue():
            return _queue_refusal(_form_messages(form, *photo_errors, voice["error"]))
        return _render_form(form, pending=pending, photo_errors=photo_errors, voice=voice,
                            status=200 if action == "calculate" and not form.errors and not voice["error"]
                            else 422)
    artisan_id = form.artisan_id.data if current_user.is_staff else current_user.artisan_id
    artisan_scope_or_404(artisan_id)
    draft_key = _draft_key()
    repeated = garments.garment_of_draft(artisan_id, draft_key)
    if repeated is not None:  # this garment already arrived (a submit sent again): nothing new is made
        if _from_queue():
            return _queue_arrival(repeated, repeated=True)
        flash(_("This garment had already arrived; it is not added twice."), "info")
        return _back_to_list(repeated, artisan_id if current_user.is_staff else None)
    try:
        product = garments.create_garment(artisan_id, garments.GarmentData.from_form(form), photos,
                                          publish=action == "publish", staff=current_user.is_staff,
                                          draft_key=draft_key)
    except garments.GarmentRejected as error:
        db.session.rollback()
        if _from_queue():
            return _queue_refusal([GARMENT_MESSAGES[error.code]()])
        return _render_form(form, pending=pending, photo_errors=[GARMENT_MESSAGES[error.code]()], status=422,
                            voice=voice)
    if recording is not None:
        stories.record_story(artisan_id, recording, request.form.get("voice_language", ""),
                             product_id=product.id)
    if _from_queue():
        return _queue_arrival(product, repeated=False)
    flash(_("Your garment is published.") if action == "publish" else _("Your garment is saved as a draft."),
          "info")
    return _back_to_list(product, artisan_id if current_user.is_staff else None)


def _owned_garment_or_404(product_id):
    product = db.get_or_404(Product, product_id)
    artisan_scope_or_404(product.artisan_id)
    return product


@bp.route("/garments/<int:product_id>/edit", methods=["GET", "POST"])
@allow(*EVERYONE_LOGGED_IN)
def edit_garment(product_id):
    product = _owned_garment_or_404(product_id)
    form = _garment_form(product)
    if request.method == "GET":
        return _render_form(form, product)
    photos, pending, photo_errors = _collect_photos(product)
    recording, voice = _collect_voice()
    action = request.form.get("action", "save")
    if not form.validate_on_submit() or photo_errors or voice["error"] or action == "calculate":
        return _render_form(form, product, pending, photo_errors, voice=voice,
                            status=200 if action == "calculate" and not form.errors and not voice["error"]
                            else 422)
    if current_user.is_staff and form.artisan_id.data != product.artisan_id:
        abort(400)  # moving a garment to another artisan is not an edit
    try:
        garments.update_garment(product, garments.GarmentData.from_form(form), photos,
                                staff=current_user.is_staff)
    except garments.GarmentRejected as error:
        db.session.rollback()
        return _render_form(form, product, pending, [GARMENT_MESSAGES[error.code]()], status=422, voice=voice)
    if recording is not None:
        stories.record_story(product.artisan_id, recording, request.form.get("voice_language", ""),
                             product_id=product.id)
    flash(_("Your changes are saved."), "info")
    return _back_to_list(product)


@bp.route("/garments/<int:product_id>/status", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def garment_status(product_id):
    product = _owned_garment_or_404(product_id)
    try:
        garments.change_status(product, request.form.get("action", ""))
    except garments.GarmentRejected as error:
        db.session.rollback()
        flash(GARMENT_MESSAGES[error.code](), "error")
    else:
        flash(_("Done."), "info")
    return _back_to_list(product)


@bp.route("/price")
@allow(*EVERYONE_LOGGED_IN)
def price_calculator():
    form = CalculatorForm(request.args)
    result = calculator.calculate(form, fee_policy()) if request.args and form.validate() else None
    return render_template("studio/calculator.html", form=form, result=result, policy=fee_policy())


# Resumable uploads, used by static/js/upload.js; every answer is JSON.

def _upload_error(error: ImageRejected, status=422):
    return jsonify(error=error.code, message=rejection_message(error.code)), status


@bp.route("/uploads", methods=["POST"])
@allow(*EVERYONE_LOGGED_IN)
def upload_start():
    try:
        upload_id = uploads.start_upload(current_user.id, request.form.get("size", 0, type=int))
    except ImageRejected as error:
        status = {"too_big": 413, "too_many_uploads": 429, "uploads_too_big": 429}.get(error.code, 422)
        return _upload_error(error, status)
    return jsonify(id=upload_id, received=0), 201


@bp.route("/uploads/<upload_id>", methods=["GET"])
@allow(*EVERYONE_LOGGED_IN)
def upload_status(upload_id):
    try:
        received, size = uploads.upload_status(upload_id, current_user.id)
    except uploads.UploadNotFound:
        abort(404)
    return jsonify(id=upload_id, received=received, size=size)


@bp.route("/uploads/<upload_id>", methods=["PUT"])
@allow(*EVERYONE_LOGGED_IN)
def upload_chunk(upload_id):
    offset = request.args.get("offset", -1, type=int)
    try:
        received = uploads.append_chunk(upload_id, current_user.id, offset,
                                        request.get_data(cache=False)[:uploads.MAX_CHUNK + 1])
        _, size = uploads.upload_status(upload_id, current_user.id)
        if received < size:
            return jsonify(id=upload_id, received=received, size=size)
        stored = uploads.finish_upload(upload_id, current_user.id)
    except uploads.UploadNotFound:
        abort(404)
    except uploads.OffsetMismatch as mismatch:
        return jsonify(id=upload_id, received=mismatch.received), 409
    except ImageRejected as error:
        return _upload_error(error)
    return jsonify(id=upload_id, done=True, token=uploads.pending_token(stored, current_user.id),
                   hash=stored.content_hash, width=stored.width,
                   thumbnail=url_for("media.derivative",
                                     name=f"{stored.content_hash}-{min(320, stored.width)}.jpg"))


@bp.app_template_global("studio_money")
def studio_money(centavos):
    """Pesos on studio pages, through the one formatter."""
    return formatting.money(centavos, "MXN")
