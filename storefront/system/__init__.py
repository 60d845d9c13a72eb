"""Health check and error pages."""
from flask import Blueprint

bp = Blueprint("system", __name__)

from storefront.system import routes  # noqa: E402,F401
