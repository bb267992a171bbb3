"""Personal feed tokens: 256 random bits in the URL, only their SHA-256 in the database.

A token is shown to its owner once, when it is made. Making a new one revokes the old at once (the
old URL answers 404 from the next request); so does stopping the feed. Deleting the account deletes
its tokens (ON DELETE CASCADE). Tokens never go to the audit log or any other log.

Checking a token is one query. With REDIS_URL set, each process keeps the answer for
FEED_HEAD_TTL seconds, together with a revocation counter shared in Redis: every revocation raises
the counter once its transaction has committed, and a process answers from its copy only while the
counter is unchanged — so a revoked URL still stops at the next request, in every process, and a
calendar app polling a feed costs a Redis read instead of a database query. Without Redis, or when
it does not answer, every request asks the database.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session as SASession

from roadshow.extensions import db
from roadshow.feeds import reads
from roadshow.models import CalendarToken, User, utcnow

log = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 256 bits; token_urlsafe gives 43 characters
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def hash_token(token: str) -> str:
    """The SHA-256 (hex) stored for *token*."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_well_formed(token: str) -> bool:
    """True when *token* has the shape of a token we issue (checked before any database query)."""
    return TOKEN_PATTERN.fullmatch(token) is not None


def active_token(user: Any) -> CalendarToken | None:
    """*user*'s unrevoked token row, if any (its secret is not recoverable from it)."""
    return db.session.scalars(
        sa.select(CalendarToken)
        .where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
        .order_by(CalendarToken.created_at.desc(), CalendarToken.id.desc())
        .limit(1)
    ).first()


def revoke_tokens(user: Any) -> int:
    """Revoke every active token of *user* (flushed, not committed); returns how many."""
    note_revocation()
    result = db.session.execute(
        sa.update(CalendarToken)
        .where(CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    return result.rowcount or 0


def issue_token(user: Any) -> str:
    """Revoke *user*'s tokens and make a new one; returns the secret (shown once, never stored)."""
    revoke_tokens(user)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(CalendarToken(user_id=user.id, token_hash=hash_token(token), created_at=utcnow()))
    db.session.flush()
    return token


@dataclass(frozen=True, slots=True)
class TokenOwner:
    """What a personal feed request needs to know about its token and user."""

    token_id: int
    token_created_at: datetime
    user_id: int
    locale: str


_OWNER = (
    sa.select(CalendarToken.id, CalendarToken.created_at, User.id, User.locale)
    .join(User, User.id == CalendarToken.user_id)
    .where(CalendarToken.token_hash == sa.bindparam("token_hash"), CalendarToken.revoked_at.is_(None))
)


def token_owner(token: str) -> TokenOwner | None:
    """The active token and its user for the secret *token* (one query); None for anything else.

    Malformed tokens are refused without a query; the lookup is by hash, so its timing says nothing
    about how much of a guess was right.
    """
    if not is_well_formed(token):
        return None
    token_hash = hash_token(token)
    counter = revocation_counter() if current_app.config.get("FEED_HEAD_TTL", 1.0) else None
    now = time.monotonic()
    owner = _cached_owner(token_hash, counter, now)
    if owner is not None:
        return owner
    row = reads.read(_OWNER, {"token_hash": token_hash}).first()
    if row is None:
        return None
    owner = TokenOwner(*row)
    _keep_owner(token_hash, counter, now, owner)
    return owner


# --- The shared revocation counter -----------------------------------------------------------------

_REVOKED_KEY = "roadshow.revoked_tokens"  # in the session's info: raise the counter after commit
_OWNER_CACHE_KEY = "roadshow.token_owners"  # in app.extensions: one copy per app, as per process
_OWNER_CACHE_LIMIT = 4096


def _owner_cache(app: Flask) -> dict[str, tuple[float, int, TokenOwner]]:
    return app.extensions.setdefault(_OWNER_CACHE_KEY, {})


def note_revocation() -> None:
    """Say that this transaction revokes or deletes tokens: the shared counter rises after commit."""
    db.session.info[_REVOKED_KEY] = True


def _counter_key(app: Flask) -> str:
    from roadshow.shared_cache import database_digest  # imported late: it imports the feed cache

    return f"roadshow:revoked-tokens:{database_digest(app)}"


def _redis(app: Flask) -> Any:
    from roadshow.shared_cache import redis_client

    return redis_client(app)


def revocation_counter() -> int | None:
    """The shared revocation counter, or None without Redis (or when it does not answer)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    client = _redis(app)
    if client is None:
        return None
    try:
        return int(client.get(_counter_key(app)) or 0)
    except (redis.RedisError, ValueError):
        return None


@sa.event.listens_for(SASession, "after_commit")
def _raise_counter_after_commit(session: SASession) -> None:
    if not session.info.pop(_REVOKED_KEY, False) or not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _owner_cache(app).clear()  # this process at once; the others at their next request
    client = _redis(app)
    if client is None:
        return
    try:
        client.incr(_counter_key(app))
    except redis.RedisError as error:  # their copies still expire after FEED_HEAD_TTL
        log.warning("token revocation counter: Redis write failed (%s)", type(error).__name__)


@sa.event.listens_for(SASession, "after_rollback")
def _forget_revocation_on_rollback(session: SASession) -> None:
    session.info.pop(_REVOKED_KEY, None)


def _cached_owner(token_hash: str, counter: int | None, now: float) -> TokenOwner | None:
    if counter is None:
        return None
    cached = _owner_cache(current_app._get_current_object()).get(token_hash)  # type: ignore[attr-defined]
    if cached is None or cached[0] <= now or cached[1] != counter:
        return None
    return cached[2]


def _keep_owner(token_hash: str, counter: int | None, now: float, owner: TokenOwner) -> None:
    ttl = float(current_app.config.get("FEED_HEAD_TTL", 1.0))
    if counter is None or ttl <= 0:
        return
    cache = _owner_cache(current_app._get_current_object())  # type: ignore[attr-defined]
    if len(cache) >= _OWNER_CACHE_LIMIT:
        cache.clear()
    cache[token_hash] = (now + ttl, counter, owner)
