"""Sectors are data: seeded from DESIGN.md when empty, matching the demo's slugs, extended by organisers."""

from __future__ import annotations

import sqlalchemy as sa

from roadshow.demo import SECTORS as DEMO_SECTORS
from roadshow.extensions import db
from roadshow.models import Sector
from roadshow.organisations.services import DEFAULT_SECTORS, ensure_default_sectors, slugify
from tests.conftest import fetch, post_form
from tests.organisations.helpers import audit, db_state, page


def _sectors(app) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        return [
            tuple(row)
            for row in db.session.execute(
                sa.select(Sector.slug, Sector.name, Sector.name_zh).order_by(Sector.slug)
            )
        ]


def test_default_sectors_are_the_demo_datas_sectors():
    assert [(s.slug, s.name, s.name_zh) for s in DEFAULT_SECTORS] == [
        (s.slug, s.name, s.name_zh) for s in DEMO_SECTORS
    ]


def test_ensure_default_sectors_seeds_once(app):
    with app.app_context():
        ensure_default_sectors()
        ensure_default_sectors()
        db.session.commit()
    assert len(_sectors(app)) == 8
    assert ("big-data", "New-generation IT (big data)", "新一代信息技术（大数据）") in _sectors(app)


def test_ensure_default_sectors_leaves_an_existing_list_alone(app):
    with app.app_context():
        db.session.add(Sector(slug="aerospace", name="Aerospace"))
        db.session.commit()
        ensure_default_sectors()
        db.session.commit()
    assert _sectors(app) == [("aerospace", "Aerospace", None)]


def test_sector_page_lists_the_defaults_without_writing_them(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    html = page(client.get("/organisations/sectors"))
    assert "<code>precision-instruments</code>" in html
    assert "精密仪器" in html
    assert db_state(app) == before


def test_organiser_adds_a_sector_with_a_slug_made_from_its_name(app, client, world, login):
    login(world.organiser)
    response = post_form(
        client, "/organisations/sectors", {"name": "Green Energy & Hydrogen", "name_zh": "绿色能源与氢能"}
    )
    assert response.status_code == 302
    assert ("green-energy-hydrogen", "Green Energy & Hydrogen", "绿色能源与氢能") in _sectors(app)
    assert len(_sectors(app)) == 9  # the defaults were seeded first
    [entry] = audit(app, "sector.created")
    assert entry.actor_id == world.organiser.id
    assert entry.after == {
        "slug": "green-energy-hydrogen",
        "name": "Green Energy & Hydrogen",
        "name_zh": "绿色能源与氢能",
    }
    form = page(client.get("/organisations/new"))
    assert 'value="green-energy-hydrogen"' in form


def test_adding_a_sector_twice_or_with_a_bad_slug_is_refused(app, client, world, login):
    login(world.admin)
    post_form(client, "/organisations/sectors", {"name": "Aerospace", "slug": "aerospace"})
    before = db_state(app)
    response = post_form(client, "/organisations/sectors", {"name": "aerospace", "slug": "aero"})
    assert "A sector with this name already exists." in page(response)
    response = post_form(client, "/organisations/sectors", {"name": "Space", "slug": "aerospace"})
    assert "A sector with this short name already exists." in page(response)
    response = post_form(client, "/organisations/sectors", {"name": "Space", "slug": "Space Tech!"})
    assert "Use lower-case letters, digits and hyphens (at most 60)." in page(response)
    response = post_form(client, "/organisations/sectors", {"name": "航天"})  # no Latin letters for a slug
    assert "Use lower-case letters, digits and hyphens (at most 60)." in page(response)
    assert db_state(app) == before


def test_slugify():
    assert slugify("Medical devices & rehabilitation") == "medical-devices-rehabilitation"
    assert slugify("  Électronique  ") == "electronique"
    assert slugify("机器人") == ""


def test_sector_rows_keep_unique_slugs(app):
    with app.app_context():
        ensure_default_sectors()
        db.session.commit()
    assert len(set(fetch(app, sa.select(Sector.slug)))) == 8
