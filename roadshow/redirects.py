"""Safe redirect targets: only paths on this site, never another host or scheme."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for


def is_safe_path(target: str | None) -> bool:
    """True for a relative path on this site, such as ``/events/x?y=1``.

    Refused: absolute URLs, scheme-relative ``//host`` and ``/\\host`` forms, backslashes, control
    characters and anything with a scheme (``javascript:``), whatever its case or padding.
    """
    if not target or len(target) > 2000:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or "\\" in target:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next_url(target: str | None, default_endpoint: str = "public.home") -> str:
    """*target* when it is a safe local path, else the URL of *default_endpoint*."""
    return target if is_safe_path(target) else url_for(default_endpoint)
