"""Account routes (placeholder until the accounts work lands)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/signup")
def signup():
    """Sign up."""
    return "todo"


@bp.route("/login")
def login():
    """Log in."""
    return "todo"


@bp.post("/logout")
def logout():
    """Log out."""
    return "todo"


@bp.route("/account")
def profile():
    """Profile."""
    return "todo"
