"""Calendar feeds over HTTP: event feeds, single-item downloads, personal webcal feeds."""

from roadshow.feeds.routes import bp

__all__ = ["bp"]
