"""The studio's voice pages: her story on her profile, the texts a coordinator adds, her news."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from storefront.accounts.permissions import EVERYONE_LOGGED_IN, STAFF, allow, artisan_scope_or_404
from storefront.extensions import db
from storefront.i18n import interface_language
from storefront.media import audio
from storefront.media.uploads import MAX_BYTES_PLUS_ONE
from storefront.models import Artisan, ArtisanUpdate, VoiceStory
from storefront.studio import bp
from storefront.voice import guides, stories
from storefront.voice import news as news_updates
from storefront.web_ids import id_arg


def collect_voice():
    """(recording, pending token, error message) of this submit: a new recording is checked and stored
    at once; one accepted on an earlier submit comes back through its signed token."""
    upload = request.files.get("voice")
    if upload is not None and upload.filename:
        try:
            stored = audio.store_audio(upload.read(audio.MAX_AUDIO_BYTES_PLUS_ONE))
        except audio.AudioRejected as error:
            return None, None, audio.rejection_message(error.code)
        return stored, audio.pending_token(stored, current_user.id), None
    token = request.form.get("voice_pending", "")
    stored = audio.read_pending_token(token, current_user.id) if token else None
    return stored, token if stored else None, None


def voice_context(story=None, pending=None, error=None):
    """What templates/voice/_macros.html needs to show the recorder."""
    return {"voice_story": story, "voice_pending": pending, "voice_error": error,
            "spoken_languages": stories.SPOKEN_LANGUAGES,
            "spoken_language": request.form.get("voice_language") or _default_spoken_language()}


def _default_spoken_language():
    language = interface_language()
    return language if language in stories.SPOKEN_LANGUAGES else "es"


def _profile_artisan():
    artisan_id = id_arg("artisan") if current_user.is_staff else current_user.artisan_id
    if artisan_id is None:
        abort(404)
    artisan_scope_or_404(artisan_id)
    return db.get_or_404(Artisan, artisan_id)


@bp.route("/profile", methods=["GET", "POST"])
@allow(*EVERYONE_LOGGED_IN)
def profile():
    """Her story in her voice, on her public profile."""
    artisan = _profile_artisan()
    story = stories.story_of(artisan.id)
    if request.method == "POST":
        if request.form.get("action") == "remove" and story is not None:
            stories.remove_story(story)
            flash(_("Your recorded story is removed."), "info")
            return redirect(url_for("studio.profile", artisan=artisan.id if current_user.is_staff else None))
        stored, pending, error = collect_voice()
        if stored is None:
            error = error or _("Record your story first.")
            return render_template("studio/profile.html", artisan=artisan,
                                   **voice_context(story, pending, error)), 422
        stories.record_story(artisan.id, stored, request.form.get("voice_language", ""))
        flash(_("Your story is saved. Buyers can listen to it on your page."), "info")
        return redirect(url_for("studio.profile", artisan=artisan.id if current_user.is_staff else None))
    return render_template("studio/profile.html", artisan=artisan, **voice_context(story))


@bp.route("/stories/<int:story_id>/texts", methods=["GET", "POST"])
@allow(*STAFF)
def story_texts(story_id):
    """A coordinator writes what she says (transcript) and its translations."""
    story = db.get_or_404(VoiceStory, story_id)
    artisan_scope_or_404(story.artisan_id)
    if request.method == "POST":
        spoken = request.form.get("spoken_language", "")
        if spoken in stories.SPOKEN_LANGUAGES:
            story.spoken_language = spoken
        stories.set_texts(story, {locale: request.form.get(f"text-{locale}", "")
                                  for locale in stories.TEXT_LOCALES})
        flash(_("The texts are saved."), "info")
        return redirect(url_for("studio.story_texts", story_id=story.id))
    return render_template("studio/story_texts.html", story=story, locales=stories.TEXT_LOCALES,
                           spoken_languages=stories.SPOKEN_LANGUAGES)


@bp.app_template_global("screen_guide")
def screen_guide():
    """The spoken explanation of this studio screen in her interface language, else Spanish."""
    return guides.guide_for(request.endpoint, interface_language())


@bp.route("/news", methods=["GET", "POST"])
@allow(*EVERYONE_LOGGED_IN)
def news():
    """News from her loom: a few words, a photo or a voice note, shown on her page newest first."""
    artisan = _profile_artisan()
    error, status = None, 200
    if request.method == "POST":
        if request.form.get("action") == "remove":
            update = db.get_or_404(ArtisanUpdate, id_arg("update", request.form) or 0)
            if update.artisan_id != artisan.id:
                abort(404)
            news_updates.remove_update(update)
            flash(_("The news is removed."), "info")
            return redirect(url_for("studio.news", artisan=artisan.id if current_user.is_staff else None))
        photo, voice = request.files.get("photo"), request.files.get("voice")
        try:
            news_updates.post_update(
                artisan.id, request.form.get("body", ""),
                photo.read(MAX_BYTES_PLUS_ONE) if photo and photo.filename else b"",
                voice.read(audio.MAX_AUDIO_BYTES_PLUS_ONE) if voice and voice.filename else b"")
        except news_updates.UpdateRejected as rejected:
            error = rejected.message or _("Write a few words, or add a photo or a voice note.")
            status = 422
        else:
            flash(_("Your news is on your page."), "info")
            return redirect(url_for("studio.news", artisan=artisan.id if current_user.is_staff else None))
    return render_template("studio/news.html", artisan=artisan, updates=news_updates.updates_of(artisan.id),
                           error=error, max_body=news_updates.MAX_BODY), status
