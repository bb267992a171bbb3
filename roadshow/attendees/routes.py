"""Attendee routes (placeholder until the attendee work lands)."""

from flask import Blueprint

bp = Blueprint("attendees", __name__)
