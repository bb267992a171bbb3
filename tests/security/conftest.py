"""Security tests share the operations fixtures: extra apps, the rate limiter's reset, Redis."""

from tests.ops.conftest import make_app, redis_url, restore_limiter

__all__ = ["make_app", "redis_url", "restore_limiter"]
