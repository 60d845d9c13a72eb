"""Interface languages the cooperative keeps itself: Tsotsil and Tseltal catalogues (export, checked
import, coverage) and, for staff, how much of each language is translated."""
from flask import Blueprint

bp = Blueprint("languages", __name__, url_prefix="/coop/languages")

from storefront.languages import routes  # noqa: E402,F401
