"""Organisation routes (placeholder until the organisations work lands)."""

from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.get("/")
def mine():
    """The user's organisations."""
    return "todo"
