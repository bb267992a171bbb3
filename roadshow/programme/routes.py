"""Pitch-programme routes (placeholder until the scheduling work lands)."""

from flask import Blueprint

bp = Blueprint("programme", __name__)
