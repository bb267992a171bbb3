"""The helpers organisations add to roadshow.countries: country choices, typed countries, websites."""

from __future__ import annotations

import pytest

from roadshow.countries import (
    EU_MEMBER_STATES,
    FEATURED_COUNTRIES,
    country_code_from_text,
    normalise_website,
    prioritised_country_choices,
    website_domain,
)


def test_prioritised_choices_put_eu_and_china_first_each_sorted():
    choices = prioritised_country_choices("en")
    featured = [code for code, _name, is_featured in choices if is_featured]
    assert set(featured) == EU_MEMBER_STATES | {"CN"}
    assert featured == [code for code, _name, _f in choices[:28]]
    assert [name for _c, name, _f in choices[:3]] == ["Austria", "Belgium", "Bulgaria"]
    assert choices[28][1] == "Afghanistan"
    assert len(choices) == 249
    assert EU_MEMBER_STATES | {"CN"} == FEATURED_COUNTRIES


def test_prioritised_choices_in_chinese_are_named_in_chinese():
    names = {code: name for code, name, _f in prioritised_country_choices("zh")}
    assert names["CN"] == "中国"
    assert names["DE"] == "德国"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("DE", "DE"),
        (" de ", "DE"),
        ("Germany", "DE"),
        ("GERMANY", "DE"),
        ("德国", "DE"),
        ("中国", "CN"),
        ("People's Republic of China", "CN"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Bosnia and Herzegovina", "BA"),
        ("Bosnia & Herzegovina", "BA"),
        ("the Netherlands", "NL"),
        ("UK", "GB"),
        ("Hong Kong", "HK"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
    ],
)
def test_country_code_from_text_understands_codes_and_names(text, code):
    assert country_code_from_text(text) == code


@pytest.mark.parametrize("text", ["", "  ", None, "XX", "Atlantis", "EU", "Europe"])
def test_country_code_from_text_refuses_unknown_places(text):
    assert country_code_from_text(text) is None


@pytest.mark.parametrize(
    ("text", "url", "domain"),
    [
        ("https://www.Nordlicht.de/en", "https://www.Nordlicht.de/en", "nordlicht.de"),
        ("nordlicht.de", "https://nordlicht.de", "nordlicht.de"),
        ("http://shop.nordlicht.de:8080/x", "http://shop.nordlicht.de:8080/x", "shop.nordlicht.de"),
        ("HTTPS://NORDLICHT.DE.", "HTTPS://NORDLICHT.DE.", "nordlicht.de"),
        ("https://青岛.中国/", "https://青岛.中国/", "青岛.中国"),
        ("https://www.linkedin.com/company/nordlicht", "https://www.linkedin.com/company/nordlicht", None),
        ("https://mp.weixin.qq.com/s/abc", "https://mp.weixin.qq.com/s/abc", None),
    ],
)
def test_normalise_website_and_its_domain(text, url, domain):
    assert normalise_website(text) == url
    assert website_domain(url) == domain


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "ftp://files.nordlicht.de",
        "mailto:info@nordlicht.de",
        "data:text/html,<b>x</b>",
        "localhost",
        "https://192.168.0.1/",
        "https://nord licht.de",
        "https://-bad-.de",
        "https://nordlicht.de:port/",
        "",
    ],
)
def test_normalise_website_refuses_what_is_not_a_web_address(text):
    with pytest.raises(ValueError):
        normalise_website(text)


def test_website_domain_of_nothing_is_none():
    assert website_domain(None) is None
    assert website_domain("") is None
