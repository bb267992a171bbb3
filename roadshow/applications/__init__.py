"""Pitch applications, company side: apply, deck, availability, edit, withdraw."""

from roadshow.applications.routes import bp

__all__ = ["bp"]
