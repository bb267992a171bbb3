"""Fixtures for the organisation tests: a small world of two organisations and their people."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.organisations.helpers import World


@pytest.fixture
def world(app: Flask, make_user, make_organisation, make_event) -> World:
    """Organisation A (owner Alice, member Bob), B (owner Dave), outsider Carol, organiser Olga, admin."""
    owner = make_user("alice@example.org", name="Alice Owner")
    member = make_user("bob@example.org", name="Bob Member")
    outsider = make_user("carol@example.org", name="Carol Outsider")
    other_owner = make_user("dave@example.org", name="Dave Otherowner")
    organiser = make_user("olga@example.org", name="Olga Organiser")
    admin = make_user("root@example.org", name="Site Admin", is_admin=True)
    make_event(organiser=organiser, slug="roadshow-a")
    organisation = make_organisation(
        "Qingdao Haibo Biotech Co., Ltd.",
        country="CN",
        city="Qingdao",
        name_zh="青岛海博生物科技有限公司",
        website="https://www.haibo-bio.cn",
        website_domain="haibo-bio.cn",
        owner=owner,
        members=(member,),
    )
    other = make_organisation("Porto Robotics Lda", country="PT", city="Porto", owner=other_owner)
    return World(
        owner=owner,
        member=member,
        outsider=outsider,
        other_owner=other_owner,
        organiser=organiser,
        admin=admin,
        organisation=organisation,
        other=other,
    )
