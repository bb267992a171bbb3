"""A user's own data: download everything held about them (JSON), delete their account."""

from roadshow.account.routes import bp

__all__ = ["bp"]
