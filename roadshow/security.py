"""Security headers and production hardening (placeholder until the production work lands)."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Install security headers on every response."""
