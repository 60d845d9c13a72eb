"""Staff page: how much of each interface language is translated; the admin offers tzo/tzh publicly."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from storefront.accounts.permissions import ADMIN, STAFF, allow
from storefront.accounts.services import audit
from storefront.cooperative import get_settings
from storefront.extensions import db
from storefront.i18n import LOCALE_NAMES
from storefront.languages import bp
from storefront.languages.catalogues import COMMUNITY_LANGUAGES, coverage


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
