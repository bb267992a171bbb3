"""Security headers, trusted proxy headers, and `flask check-config` for production settings.

Every response carries a Content-Security-Policy without ``unsafe-inline`` (templates use classes,
never ``style=""`` attributes or inline scripts), ``X-Content-Type-Options``, a Referrer-Policy and
``X-Frame-Options``; HTTPS responses in production carry HSTS. A header a view set itself (personal
feeds send ``Referrer-Policy: no-referrer``) is never overridden.

Behind a reverse proxy the client's address and scheme arrive in ``X-Forwarded-*`` headers. They are
trusted only when configured (``PROXY_FIX_X_FOR`` … counts how many proxies set each header; 0, the
default, ignores it), because a client could otherwise claim any address and dodge rate limits.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import click
from flask import Flask, Response, current_app, request
from flask.cli import with_appcontext
from werkzeug.middleware.proxy_fix import ProxyFix

DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DEFAULT_HSTS_MAX_AGE = 365 * 24 * 3600
BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
# ProxyFix argument → configuration key.
PROXY_FIX_SETTINGS = {
    "x_for": "PROXY_FIX_X_FOR",
    "x_proto": "PROXY_FIX_X_PROTO",
    "x_host": "PROXY_FIX_X_HOST",
    "x_port": "PROXY_FIX_X_PORT",
    "x_prefix": "PROXY_FIX_X_PREFIX",
}
MIN_SECRET_KEY_LENGTH = 32
KNOWN_WEAK_SECRETS = frozenset(
    {"test-secret-key-not-for-production", "dev", "development", "secret", "changeme", "change-me"}
)


def init_app(app: Flask) -> None:
    """Trust proxy headers as configured, add security headers, register `flask check-config`."""
    counts = proxy_fix_counts(app.config)
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)
    app.after_request(add_security_headers)
    app.cli.add_command(check_config_command)


def proxy_fix_counts(config: Mapping[str, object]) -> dict[str, int]:
    """How many proxies to trust for each ``X-Forwarded-*`` header (ProxyFix's arguments)."""
    return {argument: int(config.get(key) or 0) for argument, key in PROXY_FIX_SETTINGS.items()}


def hsts_value(config: Mapping[str, object]) -> str | None:
    """The Strict-Transport-Security value for production HTTPS responses, or None when it is off."""
    if config.get("ENV_NAME") != "production":
        return None
    max_age = int(config.get("HSTS_MAX_AGE", DEFAULT_HSTS_MAX_AGE))
    if max_age <= 0:
        return None
    value = f"max-age={max_age}"
    if config.get("HSTS_INCLUDE_SUBDOMAINS"):
        value += "; includeSubDomains"
    return value


def add_security_headers(response: Response) -> Response:
    """Set the security headers a view has not set itself."""
    config = current_app.config
    headers = response.headers
    present = {name.lower() for name, _ in headers}  # one pass over the headers, not one per name
    policy = config.get("CONTENT_SECURITY_POLICY", DEFAULT_CONTENT_SECURITY_POLICY)
    if policy and "content-security-policy" not in present:
        headers.add("Content-Security-Policy", policy)
    for name, value in BASE_HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    # request.is_secure follows X-Forwarded-Proto once ProxyFix trusts it.
    if request.is_secure:
        hsts = hsts_value(config)
        if hsts:
            headers.setdefault("Strict-Transport-Security", hsts)
    return response


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One finding of `flask check-config`: ``error`` (refuse to deploy) or ``warning``."""

    level: str
    message: str

    def __str__(self) -> str:
        """``error: …`` or ``warning: …``."""
        return f"{self.level}: {self.message}"


def default_worker_count(cpu_count: int | None = None) -> int:
    """gunicorn's worker count when WEB_CONCURRENCY is not set: one per CPU, plus one.

    Measured with `make load` on two CPUs shared with PostgreSQL: five workers (gunicorn's usual
    2 × CPUs + 1) lost a fifth of the throughput of cached answers to processes crowding the CPUs
    and doubled the mixed scenario's p99, against three; the spare worker covers one blocked on
    the database or a log-in's password hash.
    """
    cpus = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    return cpus + 1


def worker_count(environ: Mapping[str, str]) -> int:
    """The number of web worker processes gunicorn.conf.py will start (WEB_CONCURRENCY, else per CPU)."""
    value = (environ.get("WEB_CONCURRENCY") or "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else default_worker_count()


def secret_key_problem(secret_key: object) -> str | None:
    """Why *secret_key* is too weak to sign production sessions, or None when it is fine."""
    if not secret_key:
        return "SECRET_KEY is not set"
    key = secret_key.decode("latin-1") if isinstance(secret_key, bytes) else str(secret_key)
    if key.strip().lower() in KNOWN_WEAK_SECRETS:
        return "SECRET_KEY is a well-known default value; generate a random one"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    if len(set(key)) < 10:
        return "SECRET_KEY repeats too few characters to be random"
    return None


def config_problems(
    config: Mapping[str, object], *, workers: int, debug: bool = False
) -> list[ConfigProblem]:
    """Weak or inconsistent production settings in *config*, for an app served by *workers* processes.

    Args:
        config: the application's configuration (``app.config``).
        workers: how many web worker processes will serve it (see ``worker_count``).
        debug: whether the application runs in debug mode (``app.debug``).

    In production, settings that are unsafe (weak secret, debug, cookies without ``Secure``, plain-HTTP
    links, SQLite under several processes) are errors; elsewhere they are warnings.
    """
    production = config.get("ENV_NAME") == "production"
    severe = "error" if production else "warning"
    problems: list[ConfigProblem] = []

    def add(level: str, message: str) -> None:
        problems.append(ConfigProblem(level, message))

    weak_secret = secret_key_problem(config.get("SECRET_KEY"))
    if weak_secret:
        add(severe, weak_secret)
    if debug or config.get("DEBUG"):
        add(severe, "debug mode is on (FLASK_DEBUG): it shows tracebacks and runs an interactive debugger")
    database = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    sqlite = database.startswith("sqlite")
    if sqlite and workers > 1:
        add(
            "error",
            f"SQLite with {workers} web workers: writes from several processes fail with 'database is "
            "locked'; use PostgreSQL (DATABASE_URL) or WEB_CONCURRENCY=1",
        )
    elif sqlite and production:
        add("warning", "SQLite in production: fine for one organiser on one machine, not for a summit")
    if not config.get("REDIS_URL") and workers > 1:
        add(
            "warning",
            f"no REDIS_URL with {workers} web workers: each process keeps its own rate-limit counters "
            "and feed cache, so limits are multiplied by the number of processes",
        )
    if not config.get("SERVER_NAME"):
        add("warning", "SERVER_NAME is not set: links in e-mails and calendars point at localhost:5000")
    if production and config.get("PREFERRED_URL_SCHEME") == "http":
        add("error", "PREFERRED_URL_SCHEME is http: links in e-mails and calendars would not use HTTPS")
    if not config.get("MAIL_SERVER"):
        add("warning", "MAIL_SERVER is not set: e-mails are written to the log instead of being sent")
    if production:
        for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if not config.get(key):
                add("error", f"{key} is off: the cookie would also travel over plain HTTP")
        if not any(proxy_fix_counts(config).values()):
            add(
                "warning",
                "no PROXY_FIX_* setting: behind a reverse proxy every client appears with the proxy's "
                "address (one shared rate limit) and as plain HTTP (no HSTS); set PROXY_FIX_X_FOR=1 "
                "and PROXY_FIX_X_PROTO=1 behind one proxy",
            )
    return problems


@click.command("check-config")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Web worker processes to check for (default: WEB_CONCURRENCY, else CPUs + 1).",
)
@with_appcontext
def check_config_command(workers: int | None) -> None:
    """Check the settings for production: print errors and warnings, exit 1 when there is an error."""
    app = current_app
    count = workers or worker_count(os.environ)
    problems = config_problems(app.config, workers=count, debug=app.debug)
    environment = app.config.get("ENV_NAME", "unknown")
    click.echo(f"Checked the {environment} configuration for {count} web worker(s).")
    for problem in problems:
        click.echo(str(problem), err=problem.level == "error")
    errors = sum(problem.level == "error" for problem in problems)
    warnings = len(problems) - errors
    click.echo(f"{errors} error(s), {warnings} warning(s).")
    if errors:
        raise SystemExit(1)
