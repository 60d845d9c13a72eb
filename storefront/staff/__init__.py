"""The staff home (/coop/) and the one menu coordinators and admins share, by role."""
from flask import Blueprint

bp = Blueprint("staff", __name__)

from storefront.staff import routes  # noqa: E402,F401
