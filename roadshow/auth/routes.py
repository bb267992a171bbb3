"""Account routes: sign-up, log-in, log-out, password reset, profile."""

from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from roadshow.auth import services
from roadshow.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    SignupForm,
)
from roadshow.extensions import db, limiter
from roadshow.i18n import viewer_timezone
from roadshow.models import User
from roadshow.redirects import safe_next_url

bp = Blueprint("auth", __name__)


# Rate limits. The limit strings are read from the configuration at request time. Only failed
# attempts count (``deduct_when``), so a whole office behind one address can still log in at the
# start of a summit while password guessing is stopped.
def _limit_per_address() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _limit_per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _submitted_account_key() -> str:
    # Hashed: bounded length whatever was posted, and no addresses in the counter store.
    email = (request.form.get("email") or "").strip().lower()
    return "account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def _signed_in_account_key() -> str:
    user_id = current_user.get_id() if current_user.is_authenticated else None
    return "user:" + (user_id or "anonymous").partition(":")[0]


def _attempt_failed(response: Response) -> bool:
    return bool(g.get("auth_attempt_failed"))


def _acting_user() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _start_session(user: User, *, remember: bool = False) -> None:
    # A fresh session on every log-in: nothing a visitor planted before (session fixation) survives.
    session.clear()
    login_user(user, remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Response | str:
    """Create an account, then log in."""
    if current_user.is_authenticated:
        return redirect(url_for("auth.profile"))
    form = SignupForm(next=request.args.get("next"))
    if request.method == "GET":
        form.timezone.data = viewer_timezone() or ""
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                locale=form.locale.data or str(get_locale()),
                timezone=form.timezone.data or viewer_timezone() or "UTC",
            )
            services.record_login(user)
            db.session.commit()
        except IntegrityError:  # the same address signed up a moment ago
            db.session.rollback()
            form.email.errors.append(_("An account with this e-mail address already exists."))
        else:
            _start_session(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return redirect(safe_next_url(form.next.data))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit_per_address, key_func=get_remote_address, methods=["POST"], deduct_when=_attempt_failed)
@limiter.limit(
    _limit_per_account, key_func=_submitted_account_key, methods=["POST"], deduct_when=_attempt_failed
)
def login() -> Response | str:
    """Log in with e-mail address and password."""
    form = LoginForm(next=request.args.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(safe_next_url(form.next.data))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            services.record_login(user)
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            return redirect(safe_next_url(form.next.data))
        g.auth_attempt_failed = True
        # The same words whether the address is unknown or the password wrong.
        form.form_errors.append(_("The e-mail address or the password is not right."))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    """Log out; the session and remember-me cookies stop working wherever they were copied."""
    if current_user.is_authenticated:
        services.end_sessions(_acting_user())
        db.session.commit()
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion in the session
    flash(_("You have logged out."), "success")
    return redirect(url_for("public.home"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_limit_per_address, key_func=get_remote_address, methods=["POST"])
@limiter.limit(_limit_per_account, key_func=_submitted_account_key, methods=["POST"])
def reset_request() -> Response | str:
    """Ask for a password reset link; the answer never tells whether the account exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(
            _(
                "If an account exists for that address, we have sent it a link to choose a new "
                "password. The link works for %(minutes)d minutes.",
                minutes=max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 60),
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password through a reset link, then log in."""
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm(account=user)
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        services.record_login(user)
        db.session.commit()
        _start_session(user)
        flash(_("Your password has been changed, and you are logged in."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/reset_password.html", form=form)


def _render_profile(form: ProfileForm, password_form: ChangePasswordForm) -> str:
    return render_template("auth/profile.html", form=form, password_form=password_form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile() -> Response | str:
    """See and change name, language and time zone."""
    user = _acting_user()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        services.update_profile(
            user, name=form.name.data, locale=form.locale.data, timezone=form.timezone.data
        )
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("auth.profile"))
    return _render_profile(form, ChangePasswordForm(account=user, formdata=None))


@bp.post("/account/password")
@login_required
@limiter.limit(_limit_per_account, key_func=_signed_in_account_key, deduct_when=_attempt_failed)
def change_password() -> Response | str:
    """Change the password; other sessions end, this one stays logged in."""
    user = _acting_user()
    password_form = ChangePasswordForm(account=user)
    if password_form.validate_on_submit():
        services.change_password(user, password_form.password.data)
        db.session.commit()
        login_user(user, remember=_has_remember_cookie())  # the new session version, here only
        flash(_("Your password has been changed. Other devices have been logged out."), "success")
        return redirect(url_for("auth.profile"))
    if password_form.current_password.errors:
        g.auth_attempt_failed = True
    return _render_profile(ProfileForm(obj=user, formdata=None), password_form)


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere() -> Response:
    """Log out every other device and browser; this one stays logged in."""
    user = _acting_user()
    services.end_sessions(user)
    db.session.commit()
    login_user(user, remember=_has_remember_cookie())
    flash(_("You have been logged out on every other device and browser."), "success")
    return redirect(url_for("auth.profile"))
