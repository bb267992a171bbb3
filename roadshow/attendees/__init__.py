"""Attendees: registration with capacity and waiting list, starred sessions, my agenda."""

from roadshow.attendees.routes import bp

__all__ = ["bp"]
