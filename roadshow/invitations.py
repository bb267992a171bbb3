"""Signed, expiring invitation links (to co-organise an event, to join an organisation).

The token names the target (an event or organisation id) and the invited e-mail address; it is
signed with SECRET_KEY and a salt per kind of invitation, and expires after INVITATION_MAX_AGE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class InvalidInvitationError(Exception):
    """An invitation token that is forged, expired, for another purpose or malformed."""


@dataclass(frozen=True)
class SignedInvitation:
    """What a valid token says: the target's id, the invited address and when it was signed."""

    target_id: int
    email: str
    issued_at: datetime


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign_invitation(salt: str, target: str, target_id: int, email: str) -> str:
    """A token for inviting *email* to the *target* (``"event"``, ``"organisation"``) *target_id*."""
    return _serializer(salt).dumps({target: target_id, "email": email.strip().lower()})


def read_invitation(salt: str, target: str, token: str) -> SignedInvitation:
    """Check a token's signature, purpose and age; InvalidInvitationError when it is not good."""
    try:
        payload, issued_at = _serializer(salt).loads(
            token, max_age=current_app.config["INVITATION_MAX_AGE"], return_timestamp=True
        )
    except (SignatureExpired, BadSignature) as exc:
        raise InvalidInvitationError(str(exc)) from exc
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get(target), int)
        or not isinstance(payload.get("email"), str)
    ):
        raise InvalidInvitationError("malformed payload")
    if issued_at.tzinfo is None:
        issued_at = issued_at.replace(tzinfo=UTC)
    return SignedInvitation(target_id=payload[target], email=payload["email"], issued_at=issued_at)
