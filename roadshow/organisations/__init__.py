"""Organisations: profiles, logos, members, join requests, partner-list import."""

from roadshow.organisations.routes import bp

__all__ = ["bp"]
