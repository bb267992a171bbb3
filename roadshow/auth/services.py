"""Accounts: password hashing and strength, creating users. Takes values, flushes, never commits."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

from roadshow.extensions import db
from roadshow.models import User

MIN_PASSWORD_LENGTH = 10
# Far above any real passphrase; refuses multi-megabyte "passwords" sent to burn CPU. Argon2 itself
# hashes every byte (no silent truncation as with bcrypt's 72 bytes).
MAX_PASSWORD_LENGTH = 1024
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> PasswordHasher:
    # Argon2id (memory-hard). Tests use small parameters so the suite stays quick.
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def _current_hasher() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("PASSWORD_HASH_FAST")))


def hash_password(password: str) -> str:
    """An Argon2id hash of *password*."""
    return _current_hasher().hash(password)


def verify_password(user: User, password: str) -> bool:
    """True when *password* is *user*'s; re-hashes in place when the parameters have changed."""
    hasher = _current_hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Passwords too common to allow (lower-cased)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why *password* is too weak (empty when it is acceptable), as messages for the form."""
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(str(_l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)))
    lowered = password.lower()
    if lowered in common_passwords() or lowered.rstrip("0123456789!") in common_passwords():
        problems.append(str(_l("This password is one of the most common ones; choose another.")))
    elif len(set(password)) < 5:
        problems.append(str(_l("Use more different characters.")))
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append(str(_l("Do not use your e-mail address in your password.")))
    if len(name) >= 4 and name.lower() in lowered:
        problems.append(str(_l("Do not use your name in your password.")))
    return problems


def find_user_by_email(email: str) -> User | None:
    """The account with *email* (case-insensitive), if any."""
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def create_user(*, email: str, name: str, password: str, locale: str = "en", timezone: str = "UTC") -> User:
    """Add a new account (flushed). The caller checks the password's strength and uniqueness."""
    user = User(
        email=email.strip().lower(),
        name=name.strip(),
        password_hash=hash_password(password),
        locale=locale,
        timezone=timezone,
    )
    db.session.add(user)
    db.session.flush()
    return user
