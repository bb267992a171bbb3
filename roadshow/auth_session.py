"""Flask-Login wiring: loading the signed-in user and refusing outdated session cookies."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from roadshow.extensions import db
from roadshow.models import User


def load_user(identity: str) -> User | None:
    """Load the user named by a session identity ``"<id>:<session_version>"``.

    A cookie written before logout-everywhere or a password change carries an older version and
    loads nobody, so it no longer signs anyone in.
    """
    user_id, _, version = identity.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per key.

    Flask builds it (an itsdangerous serializer with its signers) twice on every request, to read
    and to write the cookie; the keys only change with a restart.
    """

    def __init__(self) -> None:
        """Start with no serializer built."""
        self._serializers: dict[tuple[object, ...], object] = {}

    def get_signing_serializer(self, app: Flask):  # type: ignore[override]
        """The serializer for *app*'s current SECRET_KEY (and SECRET_KEY_FALLBACKS)."""
        key = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                self._serializers = {key: serializer}  # a changed key replaces the old one
        return serializer


def init_login_manager(app: Flask, login_manager: LoginManager) -> None:
    """Bind Flask-Login to *app* with Roadshow's loader and messages."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
