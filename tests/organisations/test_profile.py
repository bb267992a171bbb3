"""Profiles for signed-in users, logos served safely, and editing by members."""

from __future__ import annotations

import io
from pathlib import Path

from roadshow.enums import Region
from roadshow.extensions import db
from roadshow.models import Organisation, User
from tests.conftest import post_form
from tests.organisations.helpers import PNG, SVG, WEBP, audit, db_state, load, organisation_form, page


def _edit(client, organisation_id: int, data: dict, **files):
    payload = dict(data)
    for name, (content, filename) in files.items():
        payload[name] = (io.BytesIO(content), filename)
    return post_form(
        client, f"/organisations/{organisation_id}/edit", payload, content_type="multipart/form-data"
    )


def test_profile_shows_the_organisation_to_any_signed_in_user(app, client, world, login):
    login(world.outsider)
    html = page(client.get(f"/organisations/{world.organisation.id}"))
    assert "Qingdao Haibo Biotech Co., Ltd." in html
    assert '<span lang="zh-Hans">青岛海博生物科技有限公司</span>' in html
    assert "China, Qingdao" in html
    assert 'href="https://www.haibo-bio.cn" rel="nofollow noopener noreferrer"' in html
    assert f'action="/organisations/{world.organisation.id}/join"' in html
    assert f'href="/organisations/{world.organisation.id}/edit"' not in html


def test_profile_shows_edit_links_to_members(app, client, world, login):
    login(world.member)
    html = page(client.get(f"/organisations/{world.organisation.id}"))
    assert f'href="/organisations/{world.organisation.id}/edit"' in html
    assert f'href="/organisations/{world.organisation.id}/members"' in html
    assert f'action="/organisations/{world.organisation.id}/join"' not in html


def test_profile_uses_chinese_names_for_chinese_readers(app, client, world, login):
    with app.app_context():
        db.session.get(User, world.outsider.id).locale = "zh"
        db.session.commit()
    login(world.outsider)
    html = page(client.get(f"/organisations/{world.organisation.id}"))
    assert "中国, Qingdao" in html


def test_profile_escapes_user_text(app, client, world, login, make_organisation):
    organisation = make_organisation(
        "<script>alert(1)</script> Ltd", description="<img src=x onerror=alert(1)>", owner=world.owner
    )
    login(world.outsider)
    html = page(client.get(f"/organisations/{organisation.id}"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_profile_of_unknown_organisation_is_404(app, client, world, login):
    login(world.outsider)
    assert client.get("/organisations/999999").status_code == 404


def test_logo_of_an_organisation_without_one_is_404(app, client, world, login):
    login(world.member)
    assert client.get(f"/organisations/{world.organisation.id}/logo").status_code == 404


def test_member_edits_the_profile_and_the_change_is_audited(app, client, world, login):
    login(world.member)
    form = page(client.get(f"/organisations/{world.organisation.id}/edit"))
    assert 'value="Qingdao Haibo Biotech Co., Ltd."' in form
    assert '<option selected value="CN">China</option>' in form
    response = _edit(
        client,
        world.organisation.id,
        organisation_form(
            name="Haibo Biotech", country="FR", city="Lyon", website="", sectors=["biomedicine"]
        ),
    )
    assert response.status_code == 302
    organisation = load(app, Organisation, world.organisation.id)
    assert organisation.name == "Haibo Biotech"
    assert organisation.normalised_name == "haibo biotech"
    assert organisation.region == Region.EU
    assert organisation.website is None
    assert organisation.website_domain is None
    assert [sector.slug for sector in organisation.sectors] == ["biomedicine"]
    [entry] = audit(app, "organisation.updated")
    assert entry.actor_id == world.member.id
    assert entry.before["name"] == "Qingdao Haibo Biotech Co., Ltd."
    assert entry.after["name"] == "Haibo Biotech"
    assert entry.after["country"] == "FR"


def test_edit_replaces_then_removes_the_logo_and_deletes_old_files(app, client, world, login):
    login(world.owner)
    _edit(client, world.organisation.id, organisation_form(), logo=(PNG, "a.png"))
    first = load(app, Organisation, world.organisation.id).logo_path
    root = Path(app.config["UPLOAD_FOLDER"])
    assert (root / first).read_bytes() == PNG
    _edit(client, world.organisation.id, organisation_form(), logo=(WEBP, "b.webp"))
    second = load(app, Organisation, world.organisation.id)
    assert second.logo_content_type == "image/webp"
    assert not (root / first).exists()
    response = client.get(f"/organisations/{world.organisation.id}/logo")
    assert response.headers["Content-Type"] == "image/webp"
    assert response.data == WEBP
    _edit(client, world.organisation.id, organisation_form(remove_logo="y"))
    assert load(app, Organisation, world.organisation.id).logo_path is None
    assert not (root / second.logo_path).exists()


def test_edit_refuses_an_svg_logo_and_keeps_the_old_one(app, client, world, login):
    login(world.owner)
    _edit(client, world.organisation.id, organisation_form(), logo=(PNG, "a.png"))
    before = db_state(app)
    response = _edit(client, world.organisation.id, organisation_form(name="Changed"), logo=(SVG, "evil.png"))
    assert response.status_code == 200
    assert "A logo must be a PNG, JPEG or WebP image." in page(response)
    assert db_state(app) == before


def test_admin_may_edit_any_organisation(app, client, world, login):
    login(world.admin)
    response = _edit(client, world.other.id, organisation_form(name="Porto Robotics Lda", country="PT"))
    assert response.status_code == 302
    assert load(app, Organisation, world.other.id).city == "Berlin"  # from the submitted form
