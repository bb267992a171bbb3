"""The pitch programme: slots of pitch blocks, automatic and manual scheduling, releases."""

from roadshow.programme.routes import bp

__all__ = ["bp"]
