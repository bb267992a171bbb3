"""Accounts: sign-up, log-in, log-out, password reset, profile."""

from roadshow.auth.routes import bp

__all__ = ["bp"]
