"""Accounts: password hashing and strength, creating users. Takes values, flushes, never commits."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from roadshow import timezones
from roadshow.extensions import db
from roadshow.links import external_url
from roadshow.mail.outbox import queue_templated_email
from roadshow.models import OutboxMessage, User, utcnow

MIN_PASSWORD_LENGTH = 10
# Far above any real passphrase; refuses multi-megabyte "passwords" sent to burn CPU. Argon2 itself
# hashes every byte (no silent truncation as with bcrypt's 72 bytes).
MAX_PASSWORD_LENGTH = 1024
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


# Argon2id with OWASP's recommended parameters (Password Storage Cheat Sheet): 19 MiB, two passes,
# one lane. argon2-cffi's default (RFC 9106's "low memory" profile: 64 MiB, three passes, four lanes)
# costs about four times the CPU: on a two-core host a burst of log-ins then starves every page
# (measured in benchmarks/load: 20 log-ins in 5 s pushed the p99 of all other requests past 1 s).
# Hashes made with other parameters still verify and are re-hashed at the next log-in.
PASSWORD_HASH_MEMORY_KIB = 19 * 1024
PASSWORD_HASH_TIME_COST = 2
PASSWORD_HASH_PARALLELISM = 1


@lru_cache(maxsize=2)
def _hasher(fast: bool) -> PasswordHasher:
    # Tests use small parameters so the suite stays quick.
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher(
        time_cost=PASSWORD_HASH_TIME_COST,
        memory_cost=PASSWORD_HASH_MEMORY_KIB,
        parallelism=PASSWORD_HASH_PARALLELISM,
    )


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


# What people append to a common password to get past length rules ("password2024!", "abc123!!").
COMMON_SUFFIX_CHARACTERS = "0123456789!"


def is_common_password(lowered: str) -> bool:
    """True for a (lower-cased) common password, also with digits or "!" appended to it."""
    common = common_passwords()
    if lowered in common or lowered.rstrip(COMMON_SUFFIX_CHARACTERS) in common:
        return True
    return any(
        lowered.startswith(word) and not lowered[len(word) :].strip(COMMON_SUFFIX_CHARACTERS)
        for word in common
    )


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Why *password* is too weak (empty when it is acceptable), as messages for the form."""
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(str(_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)))
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(str(_l("Use at most %(n)d characters.", n=MAX_PASSWORD_LENGTH)))
    lowered = password.lower()
    if is_common_password(lowered):
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


def email_is_taken(email: str) -> bool:
    """True when an account already uses *email* (case-insensitive)."""
    return find_user_by_email(email) is not None


@lru_cache(maxsize=2)
def _dummy_hash(fast: bool) -> str:
    return _hasher(fast).hash("no account has this password")


def authenticate(email: str, password: str) -> User | None:
    """The account for *email* when *password* is right, else None (same work either way)."""
    user = find_user_by_email(email)
    if user is None:
        # Verify against a throw-away hash so an unknown address takes as long as a wrong password.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _current_hasher().verify(
                _dummy_hash(bool(current_app.config.get("PASSWORD_HASH_FAST"))), password
            )
        return None
    return user if verify_password(user, password) else None


def record_login(user: User) -> None:
    """Note that *user* has just logged in."""
    user.last_login_at = utcnow()
    db.session.flush()


def end_sessions(user: User) -> None:
    """Make every session and remember-me cookie *user* holds stop working (bumps session_version)."""
    user.session_version += 1
    db.session.flush()


def change_password(user: User, new_password: str) -> None:
    """Give *user* a new password and end their sessions elsewhere. The caller checks its strength."""
    user.password_hash = hash_password(new_password)
    end_sessions(user)


def update_profile(user: User, *, name: str, locale: str, timezone: str) -> None:
    """Change *user*'s name, language and time zone; ValueError for an unknown language or zone."""
    if locale not in current_app.config["LANGUAGES"]:
        raise ValueError(f"unknown language {locale!r}")
    if not timezones.is_valid_timezone(timezone):
        raise ValueError(f"unknown time zone {timezone!r}")
    user.name = name.strip()
    user.locale = locale
    user.timezone = timezone
    db.session.flush()


# Password reset links: a signed, timed token naming the user and a fingerprint of the password hash,
# so a link stops working once the password changes (it is used, or the user changed it meanwhile).
PASSWORD_RESET_SALT = "roadshow.auth.password-reset"  # noqa: S105 - a salt, not a password


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PASSWORD_RESET_SALT)


def password_fingerprint(password_hash: str) -> str:
    """A short digest of a password hash: changes whenever the password does, reveals nothing of it."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:32]


def password_reset_token(user: User) -> str:
    """A signed token that lets *user* choose a new password until it expires or is used."""
    return _reset_serializer().dumps([user.id, password_fingerprint(user.password_hash)])


def user_for_reset_token(token: str) -> User | None:
    """The account a reset token was made for, or None when it is tampered with, expired or used."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        payload = _reset_serializer().loads(token, max_age=max_age)
    except BadSignature:  # also SignatureExpired
        return None
    if not (
        isinstance(payload, list)
        and len(payload) == 2
        and isinstance(payload[0], int)
        and isinstance(payload[1], str)
    ):
        return None
    user = db.session.get(User, payload[0])
    if user is None or not hmac.compare_digest(password_fingerprint(user.password_hash), payload[1]):
        return None
    return user


def send_password_reset(user: User) -> OutboxMessage:
    """Queue the e-mail with *user*'s password reset link (flushed with the caller's transaction)."""
    reset_url = external_url("auth.reset_password", token=password_reset_token(user))
    return queue_templated_email(user.email, "password_reset", user.locale, user=user, reset_url=reset_url)


def request_password_reset(email: str) -> OutboxMessage | None:
    """Send a reset link when an account has *email*; None (and nothing sent) when none does."""
    user = find_user_by_email(email)
    if user is None:
        return None
    return send_password_reset(user)


def reset_password(user: User, new_password: str) -> None:
    """Set the password chosen through a reset link; the link and all sessions stop working."""
    change_password(user, new_password)
