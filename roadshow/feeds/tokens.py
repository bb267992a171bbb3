"""Personal feed tokens: 256 random bits in the URL, only their SHA-256 in the database.

A token is shown to its owner once, when it is made. Making a new one revokes the old at once (the
old URL answers 404 from the next request); so does stopping the feed. Deleting the account deletes
its tokens (ON DELETE CASCADE). Tokens never go to the audit log or any other log.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from roadshow.extensions import db
from roadshow.feeds import reads
from roadshow.models import CalendarToken, User, utcnow

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
    row = reads.read(_OWNER, {"token_hash": hash_token(token)}).first()
    return TokenOwner(*row) if row is not None else None
