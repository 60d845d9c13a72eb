"""Friendly error pages in the visitor's language."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from storefront.extensions import db

MESSAGES = {
    400: lambda: (_("That request did not make sense"),
                  _("Something in the address or the form was not right.")),
    403: lambda: (_("This page is not for you"), _("You do not have permission to see this page.")),
    404: lambda: (_("We could not find that page"),
                  _("The garment or page you are looking for is not here. It may have been sold or moved.")),
    405: lambda: (_("That request did not make sense"), _("This page cannot be used that way.")),
    413: lambda: (_("That file is too big"), _("Send a smaller file (20 MB at most).")),
    429: lambda: (_("Too many attempts"), _("Please wait a few minutes and try again.")),
    500: lambda: (_("Something went wrong on our side"),
                  _("We are sorry. Please try again in a moment; nothing you sent was lost.")),
}


def render_error(status, title=None, message=None):
    default_title, default_message = MESSAGES.get(status, MESSAGES[500])()
    wants_json = request.accept_mimetypes.best == "application/json"
    if wants_json:
        return {"error": title or default_title, "message": message or default_message}, status
    return render_template("errors/error.html", status=status, title=title or default_title,
                           message=message or default_message), status


def _answer(error, status):
    """The response an error already carries (the login page's own 429), else the site's error page."""
    if getattr(error, "response", None) is not None:
        return error.response
    return render_error(status)


def register(app):
    for status in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(status, lambda error, status=status: _answer(error, status))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, _("The form expired"),
                            _("Please go back, reload the page and send the form again."))

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
