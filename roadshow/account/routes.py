"""Account-data routes: the page, the JSON export, and deleting the account.

Everything here acts on the signed-in user only (no ids in the URLs). Deleting asks for the password
again; wrong ones are limited per account like log-in attempts (LOGIN_LIMIT_PER_ACCOUNT).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from roadshow.account import services
from roadshow.account.forms import DeleteAccountForm
from roadshow.auth.services import verify_password
from roadshow.extensions import db, limiter
from roadshow.models import User

bp = Blueprint("account", __name__, url_prefix="/account/data")


def _acting_user() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _limit_per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    user_id = current_user.get_id() if current_user.is_authenticated else None
    return "delete:" + (user_id or "anonymous").partition(":")[0]


def _attempt_failed(response: Response) -> bool:
    return bool(g.get("auth_attempt_failed"))


def _page(form: DeleteAccountForm, status: int = 200) -> tuple[str, int]:
    user = _acting_user()
    return (
        render_template("account/index.html", form=form, problems=services.deletion_problems(user)),
        status,
    )


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    """Download your data; delete your account."""
    return _page(DeleteAccountForm(formdata=None))


@bp.get("/export.json")
@login_required
def export() -> Response:
    """Everything held about the signed-in user, as a JSON file to download."""
    user = _acting_user()
    body = json.dumps(services.export_user_data(user), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="roadshow-account-{user.id}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/delete")
@login_required
@limiter.limit(_limit_per_account, key_func=_account_key, deduct_when=_attempt_failed)
def delete() -> Response | tuple[str, int]:
    """Delete the account after the password is entered again (refused while others depend on it)."""
    user = _acting_user()
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    if not verify_password(user, form.password.data):
        g.auth_attempt_failed = True
        form.password.errors = [_("This is not your current password.")]
        return _page(form, 400)
    try:
        services.delete_account(user)
    except services.AccountDeletionRefusedError:
        db.session.rollback()
        return _page(form, 409)
    db.session.commit()
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion
    flash(_("Your account has been deleted. Thank you for using Roadshow."), "success")
    return redirect(url_for("public.home"))
