"""Roadshow: online summits and project roadshows for European and Chinese companies."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from config import Config

# Flask and config are imported inside create_app, so that plain-Python subpackages such as
# roadshow.scheduling (whose command line must start fast) do not pay for them.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[Config] | None = None, **overrides: object) -> Flask:
    """Build the application: load config, bind extensions, register blueprints and handlers."""
    from flask import Flask

    from config import config_for_environment

    config_class = config_class or config_for_environment()
    app = Flask(
        __name__,
        instance_path=config_class.INSTANCE_PATH,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _ensure_secret_key(app)

    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_operations(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    return app


def _ensure_secret_key(app: Flask) -> None:
    """Development generates and keeps a key; every other environment must be given one."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("ENV_NAME") == "development":
        from config import development_secret_key

        app.config["SECRET_KEY"] = development_secret_key(Path(app.instance_path))
        return
    raise RuntimeError("SECRET_KEY must be set in the environment for this configuration")


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions of roadshow.extensions to *app*."""
    from roadshow import auth_session, i18n
    from roadshow.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    _check_rate_limits_in_views_only(app, limiter)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    auth_session.init_login_manager(app, login_manager)
    app.session_interface = auth_session.SessionInterface()


def _check_rate_limits_in_views_only(app: Flask, limiter: object) -> None:
    """Drop Flask-Limiter's before-request check: Roadshow's limits are all route decorators.

    A decorated view checks its own limits when it is called; the global hook exists for default,
    application-wide and blueprint limits, which Roadshow does not use. It would still resolve (no)
    limits on every request — about a tenth of the work of a cached feed or page answer.
    """
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return  # a deployment configured global limits: keep the hook that enforces them
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if hook != limiter._check_request_limit]  # type: ignore[attr-defined]


def register_url_converters(app: Flask) -> None:
    """``<int:…>`` in routes accepts only ids a database integer column can hold (else 404, not 500)."""
    from werkzeug.routing import IntegerConverter

    class DatabaseIdConverter(IntegerConverter):
        def __init__(self, url_map: object, *args: object, **kwargs: object) -> None:
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = DatabaseIdConverter


def register_blueprints(app: Flask) -> None:
    """Attach every area's blueprint."""
    from roadshow.account import bp as account_bp
    from roadshow.applications import bp as applications_bp
    from roadshow.attendees import bp as attendees_bp
    from roadshow.auth import bp as auth_bp
    from roadshow.events import bp as events_bp
    from roadshow.feeds import bp as feeds_bp
    from roadshow.organisations import bp as organisations_bp
    from roadshow.planner import bp as planner_bp
    from roadshow.programme import bp as programme_bp
    from roadshow.public import bp as public_bp
    from roadshow.review import bp as review_bp

    for blueprint in (
        public_bp,
        auth_bp,
        events_bp,
        organisations_bp,
        applications_bp,
        review_bp,
        programme_bp,
        feeds_bp,
        attendees_bp,
        planner_bp,
        account_bp,
    ):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    """Render every HTTP error as a page in the site's layout (JSON for JSON clients)."""
    from roadshow.errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Jinja filters and globals: time formatting in two clocks, language switcher, forms."""
    from roadshow.i18n import register_template_helpers as register_i18n

    register_i18n(app)


def register_operations(app: Flask) -> None:
    """Security headers, proxy handling, health checks, request ids in logs, backup and restore."""
    from roadshow import ops, security

    security.init_app(app)
    ops.init_app(app)


def register_commands(app: Flask) -> None:
    """The `flask` commands: demo-data, create-admin, send-mail."""
    from roadshow.cli import register

    register(app)
