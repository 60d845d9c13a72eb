"""Staff pages: how much of each interface language is translated (the admin offers tzo/tzh publicly),
and the spoken explanations of the studio's screens."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from storefront.accounts.permissions import ADMIN, STAFF, allow
from storefront.accounts.services import audit
from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.i18n import LOCALE_NAMES
from storefront.languages import bp
from storefront.languages.catalogues import COMMUNITY_LANGUAGES, coverage
from storefront.media import audio
from storefront.voice import guides as voice_guides


@bp.route("/")
@allow(*STAFF)
def overview():
    rows = [{"code": code, "name": LOCALE_NAMES.get(code, code), "translated": translated, "total": total,
             "percent": translated * 100 // total if total else 0, "community": code in COMMUNITY_LANGUAGES}
            for code, translated, total in coverage()]
    return render_template("languages/overview.html", rows=rows,
                           public=get_settings().public_indigenous_languages)


@bp.route("/public", methods=["POST"])
@allow(ADMIN)
def set_public():
    """Offer (or stop offering) Tsotsil and Tseltal on the public pages; audited."""
    settings = get_settings()
    wanted = "1" in request.form.getlist("public")
    if wanted != settings.public_indigenous_languages:
        audit("settings.update", "cooperative_settings", 1,
              changes={"public_indigenous_languages": [settings.public_indigenous_languages, wanted]})
        settings.public_indigenous_languages = wanted
        db.session.commit()
    flash(_("The settings are saved."), "info")
    return redirect(url_for("languages.overview"))


@bp.route("/guides", methods=["GET", "POST"])
@allow(*STAFF)
def guides():
    """Spoken explanations of the studio's screens, one per screen and language."""
    error, status = None, 200
    if request.method == "POST":
        screen, language = request.form.get("screen", ""), request.form.get("language", "")
        found = voice_guides.all_guides().get((screen, language))
        if request.form.get("action") == "remove" and found is not None:
            voice_guides.remove_guide(found)
            flash(_("The explanation is removed."), "info")
            return redirect(url_for("languages.guides"))
        upload = request.files.get("voice")
        if screen not in voice_guides.SCREEN_NAMES or language not in voice_guides.GUIDE_LANGUAGES:
            abort(400)
        try:
            stored = audio.store_audio(upload.read(audio.MAX_AUDIO_BYTES_PLUS_ONE) if upload else b"")
        except audio.AudioRejected as rejected:
            error, status = audio.rejection_message(rejected.code), 422
        else:
            voice_guides.record_guide(screen, language, stored)
            flash(_("The explanation is saved."), "info")
            return redirect(url_for("languages.guides"))
    return render_template("languages/guides.html", guides=voice_guides.all_guides(),
                           screens=voice_guides.SCREEN_NAMES, languages=voice_guides.GUIDE_LANGUAGES,
                           error=error), status
