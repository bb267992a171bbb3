"""Organiser routes (placeholder until the organiser work lands)."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/manage")


@bp.get("/")
def dashboard():
    """The organiser's events."""
    return "todo"
