"""Public pages: the home page, event pages, the language switcher."""

from roadshow.public.routes import bp

__all__ = ["bp"]
