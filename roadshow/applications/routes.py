"""Application routes (placeholder until the applications work lands)."""

from flask import Blueprint

bp = Blueprint("applications", __name__, url_prefix="/applications")


@bp.get("/")
def mine():
    """The applications of the user's organisations."""
    return "todo"
