"""The organisers' review desk for pitch applications, and their CSV export."""

from roadshow.review.routes import bp

__all__ = ["bp"]
