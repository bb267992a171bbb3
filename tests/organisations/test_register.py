"""Registering an organisation: the form, the owner, derived region, sectors as data, logos, duplicates."""

from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa

from roadshow.enums import Region
from roadshow.models import Sector
from tests.conftest import fetch, post_form
from tests.organisations.helpers import (
    JPEG,
    PDF,
    PNG,
    SVG,
    TWO_MB,
    WEBP,
    audit,
    db_state,
    memberships,
    organisation_form,
    organisations,
    page,
    stored_files,
)


def _register(client, data=None, **files):
    payload = organisation_form() if data is None else data
    for name, (content, filename) in files.items():
        payload[name] = (io.BytesIO(content), filename)
    return post_form(client, "/organisations/new", payload, content_type="multipart/form-data")


def test_register_page_offers_eu_and_china_first_and_the_default_sectors(app, client, make_user, login):
    login(make_user())
    before = db_state(app)
    html = page(client.get("/organisations/new"))
    assert 'enctype="multipart/form-data"' in html
    featured = html.index('<optgroup label="EU member states and China">')
    others = html.index('<optgroup label="Other countries">')
    assert featured < html.index('value="AT"') < html.index('value="CN"') < others
    assert featured < html.index('value="SE"') < others
    assert html.index('value="CH"') > others
    assert html.index('value="US"') > others
    assert 'value="big-data"' in html
    assert "New-generation IT (big data)" in html
    assert db_state(app) == before  # the default sectors are shown, not written, on GET


def test_register_makes_the_creator_owner_and_derives_the_region(app, client, make_user, login):
    user = make_user()
    login(user)
    response = _register(client)
    [organisation] = organisations(app)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{organisation.id}"
    assert organisation.name == "Nordlicht Medical GmbH"
    assert organisation.normalised_name == "nordlicht medical"
    assert organisation.country == "DE"
    assert organisation.region == Region.EU
    assert organisation.city == "Berlin"
    assert organisation.website == "https://www.nordlicht-medical.de/en"
    assert organisation.website_domain == "nordlicht-medical.de"
    assert sorted(sector.slug for sector in organisation.sectors) == ["medical-devices", "robotics"]
    assert memberships(app, organisation.id) == [(user.id, "owner", "active")]
    assert len(fetch(app, sa.select(Sector))) == 8  # seeded on the first submitted form
    [entry] = audit(app, "organisation.created")
    assert entry.actor_id == user.id
    assert entry.target_id == organisation.id


def test_register_chinese_company_gets_region_cn_and_keeps_the_chinese_texts(app, client, make_user, login):
    login(make_user())
    _register(
        client,
        organisation_form(
            name="Qingdao Haibo Biotech",
            name_zh="青岛海博生物科技有限公司",
            country="CN",
            city="青岛",
            website="haibo-bio.cn",
            description="Diagnostics.\r\n\r\nExport to the EU.",
            description_zh="诊断试剂。",
            sectors=[],
        ),
    )
    [organisation] = organisations(app)
    assert organisation.region == Region.CN
    assert organisation.name_zh == "青岛海博生物科技有限公司"
    assert organisation.website == "https://haibo-bio.cn"
    assert organisation.description == "Diagnostics.\n\nExport to the EU."
    assert organisation.description_zh == "诊断试剂。"
    assert organisation.sectors == []


def test_register_swiss_company_is_region_other(app, client, make_user, login):
    login(make_user())
    _register(client, organisation_form(country="CH"))
    assert organisations(app)[0].region == Region.OTHER


def test_register_region_cannot_be_typed(app, client, make_user, login):
    login(make_user())
    _register(client, organisation_form(country="CH", region="EU"))
    assert organisations(app)[0].region == Region.OTHER


def test_register_refuses_bad_country_website_and_sector(app, client, make_user, login):
    login(make_user())
    before = db_state(app)
    response = _register(
        client,
        organisation_form(
            country="XX", website="javascript:alert(1)", sectors=["robotics", "no-such-sector"]
        ),
    )
    html = page(response)
    assert response.status_code == 200
    assert "Choose a country from the list." in html
    assert "Enter a web address starting with http:// or https://." in html
    assert "Choose sectors from the list." in html
    assert db_state(app) == before


def test_register_requires_a_name(app, client, make_user, login):
    login(make_user())
    response = _register(client, organisation_form(name="   "))
    assert response.status_code == 200
    assert "This field is required." in page(response)
    assert organisations(app) == []


def test_register_stores_a_png_logo_and_serves_it_with_its_type(app, client, make_user, login):
    login(make_user())
    _register(client, logo=(PNG, "logo.png"))
    [organisation] = organisations(app)
    assert organisation.logo_content_type == "image/png"
    assert (Path(app.config["UPLOAD_FOLDER"]) / organisation.logo_path).read_bytes() == PNG
    response = client.get(f"/organisations/{organisation.id}/logo")
    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == f"inline; filename=logo-{organisation.id}.png"


def test_register_accepts_jpeg_and_webp_by_content_whatever_their_names(app, client, make_user, login):
    login(make_user())
    _register(client, logo=(JPEG, "logo.gif"))
    _register(
        client, organisation_form(name="Second Company", website="https://second.example"), logo=(WEBP, "x")
    )
    assert [o.logo_content_type for o in organisations(app)] == ["image/jpeg", "image/webp"]
    assert organisations(app)[1].logo_path.endswith(".webp")


def test_register_refuses_an_svg_renamed_png(app, client, make_user, login):
    login(make_user())
    before, files_before = db_state(app), stored_files(app)
    response = _register(client, logo=(SVG, "logo.png"))
    assert response.status_code == 200
    assert "A logo must be a PNG, JPEG or WebP image." in page(response)
    assert db_state(app) == before
    assert stored_files(app) == files_before


def test_register_refuses_a_pdf_renamed_png(app, client, make_user, login):
    login(make_user())
    response = _register(client, logo=(PDF, "logo.png"))
    assert "A logo must be a PNG, JPEG or WebP image." in page(response)
    assert organisations(app) == []


def test_register_refuses_a_logo_over_2_mb(app, client, make_user, login):
    login(make_user())
    response = _register(client, logo=(PNG + b"\x00" * TWO_MB, "logo.png"))
    assert response.status_code == 200
    assert "The file is larger than 2 MB." in page(response)
    assert organisations(app) == []


def test_register_warns_about_a_same_name_organisation_and_offers_to_join(
    app, client, make_user, make_organisation, login
):
    existing = make_organisation("NORDLICHT-MEDICAL G.m.b.H.", country="AT")
    login(make_user())
    before = db_state(app)
    response = _register(client, organisation_form(website=""))
    html = page(response)
    assert response.status_code == 200
    assert "This organisation may already be registered" in html
    assert f'href="/organisations/{existing.id}">NORDLICHT-MEDICAL G.m.b.H.</a>' in html
    assert f'action="/organisations/{existing.id}/join"' in html
    assert "It is a different organisation: register it anyway" in html
    assert db_state(app) == before


def test_register_warns_about_a_same_website_organisation(app, client, make_user, make_organisation, login):
    existing = make_organisation(
        "Totally Other Name", website="https://nordlicht-medical.de", website_domain="nordlicht-medical.de"
    )
    login(make_user())
    html = page(_register(client))
    assert f'href="/organisations/{existing.id}">Totally Other Name</a>' in html
    assert "nordlicht-medical.de" in html
    assert len(organisations(app)) == 1


def test_register_anyway_when_confirmed_different(app, client, make_user, make_organisation, login):
    make_organisation("Nordlicht Medical AG", country="CH")
    user = make_user()
    login(user)
    response = _register(client, organisation_form(confirm_different="y"))
    assert response.status_code == 302
    created = organisations(app)[1]
    assert created.name == "Nordlicht Medical GmbH"
    assert memberships(app, created.id) == [(user.id, "owner", "active")]


def test_ask_to_join_the_duplicate_creates_a_request(app, client, make_user, make_organisation, login):
    owner = make_user("owner@example.org", name="Otto Owner")
    existing = make_organisation("Nordlicht Medical", owner=owner)
    user = make_user()
    login(user)
    response = post_form(client, f"/organisations/{existing.id}/join")
    assert response.status_code == 302
    assert memberships(app, existing.id) == sorted(
        [(owner.id, "owner", "active"), (user.id, "member", "requested")]
    )
    assert len(organisations(app)) == 1


def test_sectors_added_by_demo_data_are_reused_not_duplicated(app, client, make_user, login):
    from roadshow.extensions import db

    with app.app_context():
        db.session.add(Sector(slug="big-data", name="New-generation IT (big data)"))
        db.session.commit()
    login(make_user())
    _register(client, organisation_form(sectors=["big-data"]))
    assert [sector.slug for sector in organisations(app)[0].sectors] == ["big-data"]
    assert fetch(app, sa.select(Sector.slug)) == ["big-data"]  # the table was not empty: no seeding


def test_my_organisations_lists_memberships_and_requests(app, client, world, login):
    login(world.owner)
    post_form(client, f"/organisations/{world.other.id}/join")
    html = page(client.get("/organisations/"))
    assert f'href="/organisations/{world.organisation.id}">Qingdao Haibo Biotech Co., Ltd.</a>' in html
    assert "Owner" in html
    assert f'href="/organisations/{world.other.id}">Porto Robotics Lda</a>' in html
    assert "Request waiting for an answer" in html
    assert 'href="/organisations/new"' in html
    assert 'href="/organisations/import"' not in html


def test_my_organisations_shows_waiting_requests_to_owners(app, client, world, login):
    login(world.outsider)
    post_form(client, f"/organisations/{world.organisation.id}/join")
    post_form(client, "/logout")
    login(world.owner)
    html = page(client.get("/organisations/"))
    assert f'href="/organisations/{world.organisation.id}/members">1 waiting</a>' in html
