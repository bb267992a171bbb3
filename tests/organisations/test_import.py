"""Importing partner lists: preview, all-or-nothing commit, no duplicates on re-import, updates and skips."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from roadshow.enums import Region
from roadshow.extensions import db
from roadshow.models import AuditLogEntry, Organisation, Sector, User
from roadshow.organisations import importer, services
from tests.conftest import fetch, post_form
from tests.organisations.helpers import audit, db_state, load, organisations, page, stored_files

PARTNERS = (
    "name,name_zh,country,city,website,sectors,description\n"
    "Nordlicht Medical GmbH,,Germany,Berlin,https://nordlicht.de,medical-devices;robotics,Rehab robots.\n"
    "青岛蓝海精密仪器有限公司,青岛蓝海,CN,青岛,lanhai-precision.cn,生物医药,\n"
    "Porto Robotics Lda,,PT,Porto,,Robotics,\n"
)


def _upload(client, content: bytes, filename: str = "partners.csv"):
    return post_form(
        client,
        "/organisations/import",
        {"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def _reference(html: str) -> str:
    marker = 'name="upload" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _preview_and_commit(client, content: bytes):
    preview = _upload(client, content)
    assert preview.status_code == 200
    return post_form(client, "/organisations/import/commit", {"upload": _reference(page(preview))})


def _import_as(app, user: User, content: bytes) -> services.ImportResult:
    with app.test_request_context():
        actor = db.session.get(User, user.id)
        result = services.commit_import(actor, content)
        db.session.commit()
        return result


# --- Through the pages -------------------------------------------------------------------------------


def test_preview_lists_every_row_and_writes_nothing(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = _upload(client, PARTNERS.encode())
    html = page(response)
    assert response.status_code == 200
    assert "Encoding: UTF-8" in html
    assert "3 rows" in html
    assert "2 new, 0 to update, 0 unchanged, 1 skipped." in html
    assert html.count('<tr class="import-create">') == 2
    assert html.count('<tr class="import-skip">') == 1
    assert "Already exists and is kept up to date by its members, will be skipped" in html
    assert f'(<a href="/organisations/{world.other.id}">Porto Robotics Lda</a>)' in html
    assert "Medical devices and rehabilitation; Robotics" in html
    assert 'action="/organisations/import/commit"' in html
    assert db_state(app) == before  # not even the default sectors


def test_commit_imports_every_row(app, client, world, login):
    login(world.organiser)
    response = _preview_and_commit(client, PARTNERS.encode())
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/import"
    created = {o.name: o for o in organisations(app) if o.id not in (world.organisation.id, world.other.id)}
    assert sorted(created) == ["Nordlicht Medical GmbH", "青岛蓝海精密仪器有限公司"]
    nordlicht = created["Nordlicht Medical GmbH"]
    assert nordlicht.region == Region.EU
    assert nordlicht.website_domain == "nordlicht.de"
    assert sorted(s.slug for s in nordlicht.sectors) == ["medical-devices", "robotics"]
    lanhai = created["青岛蓝海精密仪器有限公司"]
    assert lanhai.region == Region.CN
    assert lanhai.normalised_name == "青岛蓝海精密仪器"
    assert lanhai.name_zh == "青岛蓝海"
    assert [s.slug for s in lanhai.sectors] == ["biomedicine"]
    # Porto Robotics Lda exists (world.other, with an owner): it was skipped, not duplicated.
    [entry] = audit(app, "organisations.imported")
    assert entry.actor_id == world.organiser.id
    assert entry.target_type == "OrganisationImport"
    assert {k: entry.after[k] for k in ("rows", "created", "updated", "unchanged", "skipped")} == {
        "rows": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
    }
    flashed = page(client.get("/organisations/import"))
    assert "Import finished: 2 new, 0 updated, 0 unchanged, 1 skipped." in flashed


def test_preview_with_a_bad_row_offers_no_import_and_says_which_rows(app, client, world, login):
    login(world.organiser)
    files_before = stored_files(app)
    content = (PARTNERS + "=cmd|' /C calc'!A0,,DE,,,,\nNoCountry,,,,,,\n").encode()
    html = page(_upload(client, content))
    assert "Rows with problems (by line): 5, 6." in html
    assert "which a spreadsheet would run as a formula" in html
    assert "The country is missing." in html
    assert 'action="/organisations/import/commit"' not in html
    assert stored_files(app) == files_before  # nothing kept: there is nothing to commit


def test_refused_file_shows_the_reason_on_the_form(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = _upload(client, b"\xff\xfe" + "name,country\n".encode("utf-16-le"))
    assert response.status_code == 200
    assert "The file is in UTF-16." in page(response)
    response = _upload(client, b"name,country\n" + b"x" * (5 * 1024 * 1024))
    assert "The file is larger than 5 MB." in page(response)
    assert db_state(app) == before


def test_100000_row_upload_is_refused_and_imports_nothing(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    content = ("name,country\n" + "".join(f"C{i},DE\n" for i in range(100_000))).encode()
    response = _upload(client, content)
    assert "The file has more than 10000 rows." in page(response)
    assert db_state(app) == before


def test_upload_without_a_file_is_a_form_error(app, client, world, login):
    login(world.admin)
    response = post_form(client, "/organisations/import", {}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Choose a CSV file." in page(response)


def test_commit_refuses_another_users_upload(app, client, world, login, make_event):
    login(world.organiser)
    reference = _reference(page(_upload(client, PARTNERS.encode())))
    post_form(client, "/logout")
    login(world.admin)
    before = db_state(app)
    response = post_form(client, "/organisations/import/commit", {"upload": reference}, follow_redirects=True)
    assert "This preview has expired. Upload the file again." in page(response)
    assert db_state(app) == before


def test_commit_refuses_a_forged_reference(app, client, world, login):
    login(world.organiser)
    before = db_state(app)
    response = post_form(
        client,
        "/organisations/import/commit",
        {"upload": "eyJmaWxlIjoiLi4vLi4vZXRjIn0.x.y"},
        follow_redirects=True,
    )
    assert "This preview has expired. Upload the file again." in page(response)
    assert db_state(app) == before


def test_commit_rechecks_and_imports_nothing_when_a_row_became_a_problem(
    app, client, world, login, make_organisation
):
    login(world.organiser)
    content = (
        b"name,country,website\n"
        b"Alpha Parks Oy,FI,https://alpha-parks.fi\n"
        b"Beta Innovation Centre,BE,https://beta-ic.be\n"
    )
    reference = _reference(page(_upload(client, content)))
    # Between preview and commit, someone registers one organisation with both rows' identities.
    make_organisation("Alpha Parks", country="FI", website="https://beta-ic.be", website_domain="beta-ic.be")
    before = db_state(app)
    response = post_form(client, "/organisations/import/commit", {"upload": reference})
    html = page(response)
    assert response.status_code == 200
    assert "Nothing was imported." in html
    assert "Rows with problems (by line): 3." in html
    assert "This is the same existing organisation (Alpha Parks) as line 2." in html
    assert db_state(app) == before


def test_commit_deletes_the_kept_upload(app, client, world, login):
    login(world.organiser)
    folder = Path(app.config["UPLOAD_FOLDER"]) / "imports"
    before = set(folder.glob("*.csv")) if folder.exists() else set()
    reference = _reference(page(_upload(client, PARTNERS.encode())))
    assert len(set(folder.glob("*.csv")) - before) == 1
    post_form(client, "/organisations/import/commit", {"upload": reference})
    assert set(folder.glob("*.csv")) - before == set()
    again = post_form(client, "/organisations/import/commit", {"upload": reference}, follow_redirects=True)
    assert "This preview has expired. Upload the file again." in page(again)


# --- The service ---------------------------------------------------------------------------------------


def test_reimporting_the_same_file_creates_no_duplicates(app, world):
    first = _import_as(app, world.organiser, PARTNERS.encode())
    count = len(organisations(app))
    second = _import_as(app, world.organiser, PARTNERS.encode())
    assert first == services.ImportResult(created=2, updated=0, unchanged=0, skipped=1)
    assert second == services.ImportResult(created=0, updated=0, unchanged=2, skipped=1)
    assert len(organisations(app)) == count


def test_reimporting_the_gb18030_version_of_the_file_matches_too(app, world):
    _import_as(app, world.organiser, PARTNERS.encode("utf-8"))
    result = _import_as(app, world.organiser, PARTNERS.encode("gb18030"))
    assert result == services.ImportResult(created=0, updated=0, unchanged=2, skipped=1)


def test_import_updates_an_imported_organisation_and_adds_sectors(app, world):
    _import_as(app, world.organiser, PARTNERS.encode())
    changed = (
        "名称,国家,城市,网站,行业\n"
        "Nordlicht Medical AG,AT,Wien,https://www.nordlicht.de/at,fintech\n"  # same website: an update
    )
    result = _import_as(app, world.organiser, changed.encode("gb18030"))
    assert result == services.ImportResult(created=0, updated=1, unchanged=0, skipped=0)
    [nordlicht] = [o for o in organisations(app) if o.website_domain == "nordlicht.de"]
    assert nordlicht.name == "Nordlicht Medical AG"
    assert nordlicht.normalised_name == "nordlicht medical"
    assert nordlicht.country == "AT"
    assert nordlicht.region == Region.EU
    assert nordlicht.city == "Wien"
    assert nordlicht.website == "https://www.nordlicht.de/at"
    assert nordlicht.description == "Rehab robots."  # a blank cell keeps the current value
    assert sorted(s.slug for s in nordlicht.sectors) == ["fintech", "medical-devices", "robotics"]


def test_import_matches_by_normalised_name_and_skips_member_kept_organisations(app, world):
    content = b"name,country,city\nQINGDAO HAIBO BIOTECH,CN,Beijing\n"
    result = _import_as(app, world.organiser, content)
    assert result == services.ImportResult(created=0, updated=0, unchanged=0, skipped=1)
    assert load(app, Organisation, world.organisation.id).city == "Qingdao"


def test_import_is_all_or_nothing(app, world):
    content = (PARTNERS + "Good Company,,DE,,,,\nBad Company,,Narnia,,,,\n").encode()
    before = db_state(app)
    with app.test_request_context():
        actor = db.session.get(User, world.organiser.id)
        with pytest.raises(services.ImportNotReadyError) as refused:
            services.commit_import(actor, content)
        db.session.rollback()
    assert refused.value.plan.error_lines == [6]
    assert [row.action for row in refused.value.plan.rows] == ["create", "create", "skip", "create", "error"]
    assert db_state(app) == before


def test_import_refuses_formula_cells_and_imports_nothing(app, world):
    before = db_state(app)
    with app.test_request_context():
        actor = db.session.get(User, world.organiser.id)
        with pytest.raises(services.ImportNotReadyError):
            services.commit_import(actor, (PARTNERS + "Evil Corp,,DE,,,,+cmd\n").encode())
        db.session.rollback()
    assert db_state(app) == before


def test_import_seeds_the_default_sectors_when_none_exist(app, world):
    assert fetch(app, sa.select(Sector)) == []
    _import_as(app, world.organiser, PARTNERS.encode())
    assert sorted(fetch(app, sa.select(Sector.slug))) == [
        "big-data",
        "biomedicine",
        "fintech",
        "intelligent-manufacturing",
        "medical-devices",
        "modern-services",
        "precision-instruments",
        "robotics",
    ]


def test_import_knows_sectors_added_by_organisers(app, client, world, login):
    login(world.organiser)
    post_form(client, "/organisations/sectors", {"name": "Aerospace", "name_zh": "航空航天", "slug": ""})
    result = _import_as(app, world.organiser, "name,country,sectors\nSky GmbH,DE,航空航天\n".encode())
    assert result.created == 1
    [sky] = [o for o in organisations(app) if o.name == "Sky GmbH"]
    assert [s.slug for s in sky.sectors] == ["aerospace"]


def test_plan_refuses_an_unreadable_file(app, world):
    with app.test_request_context(), pytest.raises(importer.ImportRefusedError, match="neither UTF-8"):
        services.plan_import(b"name,country\n\x81\xff\n")


def test_import_audit_entry_names_the_file_by_hash(app, world):
    import hashlib

    _import_as(app, world.organiser, PARTNERS.encode())
    [entry] = fetch(app, sa.select(AuditLogEntry).where(AuditLogEntry.action == "organisations.imported"))
    assert entry.after["sha256"] == hashlib.sha256(PARTNERS.encode()).hexdigest()


def test_import_of_10000_rows_creates_them_all(app, world):
    content = "name,country,website,sectors\n" + "".join(
        f"Partner {i} GmbH,DE,https://partner-{i}.example,robotics\n" for i in range(importer.MAX_IMPORT_ROWS)
    )
    result = _import_as(app, world.organiser, content.encode())
    assert result.created == 10_000
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 10_002
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Organisation)
                .where(Organisation.website_domain == "partner-9999.example")
            )
            == 1
        )
