"""Organisers' pages: events, sessions, co-organisers."""

from roadshow.events.routes import bp

__all__ = ["bp"]
