"""Feed routes (placeholder until the calendar work lands)."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)
