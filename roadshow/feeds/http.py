"""The HTTP side of calendars: validators, conditional requests, headers and the identical 404.

Calendar clients poll every feed they subscribe to, so the answer to "has it changed?" must cost
almost nothing: the validators (a strong ETag and Last-Modified) are derived from the programme
version or a cheap aggregate — never from the body, whose DTSTAMPs would make every render differ —
and a matching ``If-None-Match`` (or, where allowed, ``If-Modified-Since``) is answered with 304
before any session is loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Request, Response

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
# Event feeds are public: shared caches may keep them a few minutes; clients revalidate after that.
PUBLIC_CACHE_CONTROL = "public, max-age=300"
# Personal feeds are secret: no shared cache, and every poll revalidates (a cheap 304).
PRIVATE_CACHE_CONTROL = "private, no-cache"
# Raise when the calendar text changes shape, so that clients holding an old ETag fetch it again.
FORMAT_VERSION = "1"
PERSONAL_HEADERS = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


@dataclass(frozen=True, slots=True)
class Validators:
    """A response's validators: a strong ETag (unquoted) and its last modification (aware, UTC)."""

    etag: str
    last_modified: datetime
    # False where Last-Modified cannot see every change (personal feeds: an unstarred session
    # changes no timestamp), so only the ETag may answer a conditional request.
    trust_last_modified: bool = True


def etag_for(*parts: object) -> str:
    """A strong ETag value built from *parts* (ids, versions, language …) and the format version."""
    digest = hashlib.sha256("\x1f".join([FORMAT_VERSION, *map(str, parts)]).encode("utf-8"))
    return digest.hexdigest()[:32]


def _whole_seconds(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(microsecond=0)


def is_not_modified(request: Request, validators: Validators) -> bool:
    """True when the client's copy is current: its ``If-None-Match`` names our ETag, or (without
    ``If-None-Match``) its ``If-Modified-Since`` is not older than our Last-Modified (RFC 9110 §13.2.2).
    """
    if request.method not in {"GET", "HEAD"}:
        return False
    if "If-None-Match" in request.headers:
        return request.if_none_match.contains_weak(validators.etag)
    since = request.if_modified_since
    if since is None or not validators.trust_last_modified:
        return False
    return _whole_seconds(validators.last_modified) <= since.astimezone(UTC)


def _validator_headers(response: Response, validators: Validators, cache_control: str) -> None:
    response.set_etag(validators.etag)
    response.last_modified = _whole_seconds(validators.last_modified)
    response.headers["Cache-Control"] = cache_control


def not_modified(
    validators: Validators, *, cache_control: str, headers: dict[str, str] | None = None
) -> Response:
    """A 304 carrying the validators and caching headers (no body)."""
    response = Response(status=304)
    _validator_headers(response, validators, cache_control)
    response.headers.update(headers or {})
    response.headers.pop("Content-Type", None)
    return response


def calendar_response(
    body: bytes,
    validators: Validators,
    *,
    cache_control: str,
    filename: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A 200 with the calendar *body* (UTF-8 bytes), ``text/calendar; charset=utf-8`` and validators.

    Args:
        body: the encoded calendar.
        validators: its ETag and Last-Modified.
        cache_control: the Cache-Control header (public for event feeds, private for personal ones).
        filename: for downloads, the attachment's file name (ASCII).
        headers: more headers (e.g. ``Referrer-Policy`` on personal feeds).
    """
    response = Response(body, status=200, content_type=CALENDAR_CONTENT_TYPE)
    _validator_headers(response, validators, cache_control)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers.update(headers or {})
    return response


def not_found(*, personal: bool = False) -> Response:
    """The one 404 of every calendar URL: the same bytes whether the slug, the token or the item is
    unknown, revoked, malformed or a draft, so that it never hints that something exists."""
    response = Response("Not found\n", status=404, content_type="text/plain; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    if personal:
        response.headers.update(PERSONAL_HEADERS)
    return response
