"""Configuration classes, read from the environment.

Every setting can be given as an environment variable of the same name (a ``.env`` file in the
project root is read too). See README.md, "Configuration", for the full list.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import ClassVar

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("ROADSHOW_INSTANCE_PATH", BASE_DIR / "instance"))

load_dotenv(BASE_DIR / ".env")


def _bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    """Read an integer environment variable."""
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def development_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return the development secret key, generating it once and keeping it in the instance folder."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with owner-only permissions; a concurrent first start keeps whichever won.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def normalise_database_url(url: str) -> str:
    """Make postgres:// and postgresql:// URLs use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _database_url(default: str) -> str:
    """DATABASE_URL from the environment (else *default*), normalised."""
    return normalise_database_url(os.environ.get("DATABASE_URL") or default)


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    INSTANCE_PATH = str(INSTANCE_DIR)
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'roadshow.sqlite3'}")
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")

    # Absolute links in e-mails and calendars are built from these, never from the request's Host.
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")

    # Mail: with no MAIL_SERVER, messages are written to the log instead of being sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USE_SSL = _bool("MAIL_USE_SSL")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Roadshow <noreply@localhost>")
    MAIL_MAX_BATCH = _int("MAIL_MAX_BATCH", 100)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 12)

    REDIS_URL = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 10 minutes")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 10 minutes")

    # Calendar feeds: UIDs use CALENDAR_UID_HOST (else SERVER_NAME) and must never change once set.
    CALENDAR_UID_HOST = os.environ.get("CALENDAR_UID_HOST") or None
    FEED_CACHE_ENTRIES = _int("FEED_CACHE_ENTRIES", 256)
    FEED_CACHE_MAX_BYTES = _int("FEED_CACHE_MAX_BYTES", 64 * 1024 * 1024)
    PAGE_CACHE_ENTRIES = _int("PAGE_CACHE_ENTRIES", 256)
    PAGE_CACHE_MAX_BYTES = _int("PAGE_CACHE_MAX_BYTES", 64 * 1024 * 1024)
    # How long a process may answer feed polls from its copy of an event's version (seconds).
    FEED_HEAD_TTL = float(os.environ.get("FEED_HEAD_TTL") or 1.0)

    FEED_CACHE_BACKEND = os.environ.get("FEED_CACHE_BACKEND") or None
    FEED_CACHE_PREFIX = os.environ.get("FEED_CACHE_PREFIX", "roadshow:feed:")
    FEED_CACHE_TTL = _int("FEED_CACHE_TTL", 24 * 3600)

    # Behind a reverse proxy: how many proxies to trust for each X-Forwarded-* header (0 = ignore).
    PROXY_FIX_X_FOR = _int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = _int("PROXY_FIX_X_HOST", 0)
    PROXY_FIX_X_PORT = _int("PROXY_FIX_X_PORT", 0)
    PROXY_FIX_X_PREFIX = _int("PROXY_FIX_X_PREFIX", 0)
    HSTS_MAX_AGE = _int("HSTS_MAX_AGE", 365 * 24 * 3600)
    HSTS_INCLUDE_SUBDOMAINS = _bool("HSTS_INCLUDE_SUBDOMAINS")
    # None: JSON logs in production, plain text in development; "" turns structured logs off.
    LOG_FORMAT = os.environ.get("LOG_FORMAT")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "roadshow" / "translations")
    LANGUAGES = ("en", "zh")

    # Logos and pitch decks live here, outside the static folder; served only through checked routes.
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER") or str(INSTANCE_DIR / "uploads")
    MAX_LOGO_BYTES = 2 * 1024 * 1024
    MAX_DECK_BYTES = 20 * 1024 * 1024

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 25 * 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = 500 * 1024

    PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
    INVITATION_MAX_AGE = _int("INVITATION_MAX_AGE", 7 * 24 * 3600)

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"


class DevelopmentConfig(Config):
    """Local development: SQLite in the instance folder, a generated secret key, mail to the log."""

    ENV_NAME = "development"
    DEBUG = _bool("FLASK_DEBUG")
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    # With no SECRET_KEY set, create_app() generates one once and keeps it in the instance folder.
    SECRET_KEY = os.environ.get("SECRET_KEY")


class ProductionConfig(Config):
    """Production: SECRET_KEY must come from the environment; cookies are secure."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    """Tests: a database from TEST_DATABASE_URL (else SQLite in a temporary folder), fast hashing."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - tests only
    SERVER_NAME = "roadshow.test"
    PREFERRED_URL_SCHEME = "https"
    MAIL_SERVER = None
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_HASH_FAST = True
    FEED_HEAD_TTL = 0.0  # every request reads the database, so tests see changes at once


def config_for_environment() -> type[Config]:
    """Choose the config class from ROADSHOW_ENV (development by default)."""
    name = os.environ.get("ROADSHOW_ENV", "development").lower()
    return {"production": ProductionConfig, "test": TestConfig}.get(name, DevelopmentConfig)
