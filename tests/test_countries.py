"""roadshow.countries: ISO codes, the EU-27, regions and organisation-name normalisation."""

from __future__ import annotations

import pytest

from roadshow.countries import (
    COUNTRY_NAMES,
    EU_MEMBER_STATES,
    country_choices,
    country_name,
    is_country_code,
    normalise_organisation_name,
    region_for_country,
)
from roadshow.enums import Region


def test_country_names_cover_every_iso_code_once():
    assert len(COUNTRY_NAMES) == 249
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_NAMES)
    assert COUNTRY_NAMES["CN"] == "China"
    assert COUNTRY_NAMES["DE"] == "Germany"


def test_eu_member_states_are_the_27_iso_codes():
    assert len(EU_MEMBER_STATES) == 27
    assert EU_MEMBER_STATES.issubset(COUNTRY_NAMES)
    assert "GR" in EU_MEMBER_STATES
    assert "GB" not in EU_MEMBER_STATES
    assert "CH" not in EU_MEMBER_STATES


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("DE", Region.EU),
        ("be", Region.EU),
        (" HR ", Region.EU),
        ("CN", Region.CN),
        ("HK", Region.OTHER),
        ("GB", Region.OTHER),
        ("CH", Region.OTHER),
        ("US", Region.OTHER),
    ],
)
def test_region_for_country_derives_the_region(code: str, region: Region):
    assert region_for_country(code) == region


@pytest.mark.parametrize("code", ["", "XX", "EU", "DEU", "EL"])
def test_region_for_country_refuses_non_iso_codes(code: str):
    with pytest.raises(ValueError, match="ISO 3166-1"):
        region_for_country(code)


def test_is_country_code_accepts_only_stored_form():
    assert is_country_code("FR") is True
    assert is_country_code("fr") is False
    assert is_country_code(None) is False


def test_country_name_in_english_and_chinese():
    assert country_name("NL") == "Netherlands"
    assert country_name("NL", "zh") == "荷兰"
    assert country_name("NL", "zh_Hans_CN") == "荷兰"
    assert country_name("NL", "not a locale") == "Netherlands"
    assert country_name("XX") == "XX"


def test_country_choices_are_sorted_by_name():
    choices = country_choices()
    assert len(choices) == 249
    assert choices[0] == ("AF", "Afghanistan")
    names = [name.casefold() for _, name in choices]
    assert names == sorted(names)


@pytest.mark.parametrize(
    ("name", "normalised"),
    [
        ("Nordlicht Medical GmbH", "nordlicht medical"),
        ("NORDLICHT MEDICAL", "nordlicht medical"),
        ("Nordlicht-Medical G.m.b.H.", "nordlicht medical"),
        ("Shenzhen Zhiyuan Robotics Co., Ltd.", "shenzhen zhiyuan robotics"),
        ("BioVale Therapeutics B.V.", "biovale therapeutics"),
        ("Optiq Précision S.A.", "optiq precision"),
        ("Société Générale S.A.", "societe generale"),
        ("Foo GmbH & Co. KG", "foo"),
        ("Vistula Smart Factory Sp. z o.o.", "vistula smart factory"),
        ("Maersk A/S", "maersk"),
        ("Fabbrica Intelligente S.r.l.", "fabbrica intelligente"),
        ("Acme Ltd", "acme"),
        ("Acme Limited", "acme"),
        ("  Acme,   Inc. ", "acme"),
        ("L'Oréal", "loreal"),
        ("青岛海博生物科技有限公司", "青岛海博生物科技"),
        ("上海精测仪器股份有限公司", "上海精测仪器"),
        ("Haibo (Qingdao) 有限公司", "haibo qingdao"),
        ("Company Ltd", "company"),
        ("有限公司", "有限公司"),
        ("", ""),
    ],
)
def test_normalise_organisation_name(name: str, normalised: str):
    assert normalise_organisation_name(name) == normalised


def test_normalise_organisation_name_keeps_words_that_only_look_like_suffixes_inside():
    assert normalise_organisation_name("AG Robotics Co Working") == "ag robotics co working"
