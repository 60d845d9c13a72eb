from flask import jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storefront.accounts.permissions import PUBLIC, allow
from storefront.extensions import db
from storefront.system import bp


@bp.route("/healthz")
@allow(PUBLIC)
def healthz():
    """200 when the database answers, 503 when it does not (for load balancers and uptime checks)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
