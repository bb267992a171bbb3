"""Signed invitation tokens: bound to their purpose, their target kind, and an age limit."""

from __future__ import annotations

import pytest

from roadshow.invitations import InvalidInvitationError, read_invitation, sign_invitation


def test_token_round_trip_lower_cases_the_address(app):
    with app.app_context():
        token = sign_invitation("organiser-invitation", "event", 7, " Li.Wei@Example.CN ")
        signed = read_invitation("organiser-invitation", "event", token)
    assert (signed.target_id, signed.email) == (7, "li.wei@example.cn")
    assert signed.issued_at.tzinfo is not None


def test_token_for_another_purpose_or_target_is_refused(app):
    with app.app_context():
        token = sign_invitation("organiser-invitation", "event", 7, "a@example.org")
        with pytest.raises(InvalidInvitationError):
            read_invitation("organisation-invitation", "event", token)
        with pytest.raises(InvalidInvitationError, match="malformed"):
            read_invitation("organiser-invitation", "organisation", token)


def test_tampered_or_expired_token_is_refused(app, monkeypatch):
    with app.app_context():
        token = sign_invitation("organiser-invitation", "event", 7, "a@example.org")
        with pytest.raises(InvalidInvitationError):
            read_invitation(
                "organiser-invitation", "event", token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
            )
        monkeypatch.setitem(app.config, "INVITATION_MAX_AGE", -1)
        with pytest.raises(InvalidInvitationError):
            read_invitation("organiser-invitation", "event", token)
