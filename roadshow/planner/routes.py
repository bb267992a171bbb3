"""Planner routes (placeholder until the planner work lands)."""

from flask import Blueprint

bp = Blueprint("planner", __name__, url_prefix="/manage/planner")
