"""Countries: ISO 3166-1 codes and names, the EU-27, an organisation's region, and name normalisation.

Plain Python (no Flask). An organisation's region is derived from its country, never entered:
EU member states → ``EU``, China → ``CN``, every other country → ``other``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from roadshow.enums import Region

# The 27 member states of the European Union, by ISO 3166-1 alpha-2 code (Greece is GR, not EL).
EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip

# ISO 3166-1 alpha-2 codes with their common English names (as in the Unicode CLDR).
COUNTRY_NAMES: dict[str, str] = {
    "AD": "Andorra",
    "AE": "United Arab Emirates",
    "AF": "Afghanistan",
    "AG": "Antigua & Barbuda",
    "AI": "Anguilla",
    "AL": "Albania",
    "AM": "Armenia",
    "AO": "Angola",
    "AQ": "Antarctica",
    "AR": "Argentina",
    "AS": "American Samoa",
    "AT": "Austria",
    "AU": "Australia",
    "AW": "Aruba",
    "AX": "Åland Islands",
    "AZ": "Azerbaijan",
    "BA": "Bosnia & Herzegovina",
    "BB": "Barbados",
    "BD": "Bangladesh",
    "BE": "Belgium",
    "BF": "Burkina Faso",
    "BG": "Bulgaria",
    "BH": "Bahrain",
    "BI": "Burundi",
    "BJ": "Benin",
    "BL": "St. Barthélemy",
    "BM": "Bermuda",
    "BN": "Brunei",
    "BO": "Bolivia",
    "BQ": "Caribbean Netherlands",
    "BR": "Brazil",
    "BS": "Bahamas",
    "BT": "Bhutan",
    "BV": "Bouvet Island",
    "BW": "Botswana",
    "BY": "Belarus",
    "BZ": "Belize",
    "CA": "Canada",
    "CC": "Cocos (Keeling) Islands",
    "CD": "Congo - Kinshasa",
    "CF": "Central African Republic",
    "CG": "Congo - Brazzaville",
    "CH": "Switzerland",
    "CI": "Côte d’Ivoire",
    "CK": "Cook Islands",
    "CL": "Chile",
    "CM": "Cameroon",
    "CN": "China",
    "CO": "Colombia",
    "CR": "Costa Rica",
    "CU": "Cuba",
    "CV": "Cape Verde",
    "CW": "Curaçao",
    "CX": "Christmas Island",
    "CY": "Cyprus",
    "CZ": "Czechia",
    "DE": "Germany",
    "DJ": "Djibouti",
    "DK": "Denmark",
    "DM": "Dominica",
    "DO": "Dominican Republic",
    "DZ": "Algeria",
    "EC": "Ecuador",
    "EE": "Estonia",
    "EG": "Egypt",
    "EH": "Western Sahara",
    "ER": "Eritrea",
    "ES": "Spain",
    "ET": "Ethiopia",
    "FI": "Finland",
    "FJ": "Fiji",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "FO": "Faroe Islands",
    "FR": "France",
    "GA": "Gabon",
    "GB": "United Kingdom",
    "GD": "Grenada",
    "GE": "Georgia",
    "GF": "French Guiana",
    "GG": "Guernsey",
    "GH": "Ghana",
    "GI": "Gibraltar",
    "GL": "Greenland",
    "GM": "Gambia",
    "GN": "Guinea",
    "GP": "Guadeloupe",
    "GQ": "Equatorial Guinea",
    "GR": "Greece",
    "GS": "South Georgia & South Sandwich Islands",
    "GT": "Guatemala",
    "GU": "Guam",
    "GW": "Guinea-Bissau",
    "GY": "Guyana",
    "HK": "Hong Kong SAR China",
    "HM": "Heard & McDonald Islands",
    "HN": "Honduras",
    "HR": "Croatia",
    "HT": "Haiti",
    "HU": "Hungary",
    "ID": "Indonesia",
    "IE": "Ireland",
    "IL": "Israel",
    "IM": "Isle of Man",
    "IN": "India",
    "IO": "British Indian Ocean Territory",
    "IQ": "Iraq",
    "IR": "Iran",
    "IS": "Iceland",
    "IT": "Italy",
    "JE": "Jersey",
    "JM": "Jamaica",
    "JO": "Jordan",
    "JP": "Japan",
    "KE": "Kenya",
    "KG": "Kyrgyzstan",
    "KH": "Cambodia",
    "KI": "Kiribati",
    "KM": "Comoros",
    "KN": "St. Kitts & Nevis",
    "KP": "North Korea",
    "KR": "South Korea",
    "KW": "Kuwait",
    "KY": "Cayman Islands",
    "KZ": "Kazakhstan",
    "LA": "Laos",
    "LB": "Lebanon",
    "LC": "St. Lucia",
    "LI": "Liechtenstein",
    "LK": "Sri Lanka",
    "LR": "Liberia",
    "LS": "Lesotho",
    "LT": "Lithuania",
    "LU": "Luxembourg",
    "LV": "Latvia",
    "LY": "Libya",
    "MA": "Morocco",
    "MC": "Monaco",
    "MD": "Moldova",
    "ME": "Montenegro",
    "MF": "St. Martin",
    "MG": "Madagascar",
    "MH": "Marshall Islands",
    "MK": "North Macedonia",
    "ML": "Mali",
    "MM": "Myanmar (Burma)",
    "MN": "Mongolia",
    "MO": "Macao SAR China",
    "MP": "Northern Mariana Islands",
    "MQ": "Martinique",
    "MR": "Mauritania",
    "MS": "Montserrat",
    "MT": "Malta",
    "MU": "Mauritius",
    "MV": "Maldives",
    "MW": "Malawi",
    "MX": "Mexico",
    "MY": "Malaysia",
    "MZ": "Mozambique",
    "NA": "Namibia",
    "NC": "New Caledonia",
    "NE": "Niger",
    "NF": "Norfolk Island",
    "NG": "Nigeria",
    "NI": "Nicaragua",
    "NL": "Netherlands",
    "NO": "Norway",
    "NP": "Nepal",
    "NR": "Nauru",
    "NU": "Niue",
    "NZ": "New Zealand",
    "OM": "Oman",
    "PA": "Panama",
    "PE": "Peru",
    "PF": "French Polynesia",
    "PG": "Papua New Guinea",
    "PH": "Philippines",
    "PK": "Pakistan",
    "PL": "Poland",
    "PM": "St. Pierre & Miquelon",
    "PN": "Pitcairn Islands",
    "PR": "Puerto Rico",
    "PS": "Palestinian Territories",
    "PT": "Portugal",
    "PW": "Palau",
    "PY": "Paraguay",
    "QA": "Qatar",
    "RE": "Réunion",
    "RO": "Romania",
    "RS": "Serbia",
    "RU": "Russia",
    "RW": "Rwanda",
    "SA": "Saudi Arabia",
    "SB": "Solomon Islands",
    "SC": "Seychelles",
    "SD": "Sudan",
    "SE": "Sweden",
    "SG": "Singapore",
    "SH": "St. Helena",
    "SI": "Slovenia",
    "SJ": "Svalbard & Jan Mayen",
    "SK": "Slovakia",
    "SL": "Sierra Leone",
    "SM": "San Marino",
    "SN": "Senegal",
    "SO": "Somalia",
    "SR": "Suriname",
    "SS": "South Sudan",
    "ST": "São Tomé & Príncipe",
    "SV": "El Salvador",
    "SX": "Sint Maarten",
    "SY": "Syria",
    "SZ": "Eswatini",
    "TC": "Turks & Caicos Islands",
    "TD": "Chad",
    "TF": "French Southern Territories",
    "TG": "Togo",
    "TH": "Thailand",
    "TJ": "Tajikistan",
    "TK": "Tokelau",
    "TL": "Timor-Leste",
    "TM": "Turkmenistan",
    "TN": "Tunisia",
    "TO": "Tonga",
    "TR": "Türkiye",
    "TT": "Trinidad & Tobago",
    "TV": "Tuvalu",
    "TW": "Taiwan",
    "TZ": "Tanzania",
    "UA": "Ukraine",
    "UG": "Uganda",
    "UM": "U.S. Outlying Islands",
    "US": "United States",
    "UY": "Uruguay",
    "UZ": "Uzbekistan",
    "VA": "Vatican City",
    "VC": "St. Vincent & Grenadines",
    "VE": "Venezuela",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
    "VN": "Vietnam",
    "VU": "Vanuatu",
    "WF": "Wallis & Futuna",
    "WS": "Samoa",
    "YE": "Yemen",
    "YT": "Mayotte",
    "ZA": "South Africa",
    "ZM": "Zambia",
    "ZW": "Zimbabwe",
}

# Legal forms removed from the end of a name, as token sequences after punctuation is removed
# (dots vanish, so "S.A." is "sa" and "Sp. z o.o." is "sp z oo"). Checked longest first, repeatedly,
# so "GmbH & Co. KG" and "Co., Ltd." lose every part.
_LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        {
            ("gmbh",), ("ag",), ("kg",), ("kgaa",), ("ohg",), ("ug",), ("ev",), ("mbh",), ("se",),
            ("ltd",), ("limited",), ("plc",), ("llc",), ("llp",), ("inc",), ("incorporated",),
            ("corp",), ("corporation",), ("co",), ("company",),
            ("sa",), ("sas",), ("sasu",), ("sarl",), ("sca",), ("sl",), ("slu",), ("srl",), ("srls",),
            ("spa",), ("sapa",), ("bv",), ("nv",), ("bvba",), ("sprl",), ("cv",), ("vof",),
            ("oy",), ("oyj",), ("ab",), ("publ",), ("as",), ("asa",), ("aps",), ("a", "s"), ("i", "s"),
            ("kft",), ("zrt",), ("nyrt",), ("bt",), ("uab",), ("sia",), ("ou",),
            ("sro",), ("spol", "s", "r", "o"), ("doo",), ("dd",), ("ood",), ("ead",), ("ad",),
            ("lda",), ("ltda",), ("sp", "z", "oo"), ("spzoo",), ("sa", "de", "cv"), ("pte",),
            ("pty",), ("bhd",), ("sdn", "bhd"), ("kk",), ("ehf",), ("hf",), ("sal",),
        },
        key=len,
        reverse=True,
    )
)  # fmt: skip
_CHINESE_LEGAL_SUFFIXES: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "股份公司",
    "公司",
)
_APOSTROPHES_AND_DOTS = re.compile(r"[.'’`´]")


def is_country_code(code: str | None) -> bool:
    """True when *code* is an ISO 3166-1 alpha-2 code (upper case, as stored)."""
    return code in COUNTRY_NAMES


def region_for_country(code: str) -> Region:
    """The region of an organisation in country *code*: EU-27 → EU, China → CN, elsewhere → other.

    Args:
        code: an ISO 3166-1 alpha-2 code; case and surrounding blanks are ignored.

    Raises:
        ValueError: *code* is not an ISO 3166-1 alpha-2 code (validate form input first).
    """
    normalised = (code or "").strip().upper()
    if not is_country_code(normalised):
        raise ValueError(f"not an ISO 3166-1 alpha-2 country code: {code!r}")
    if normalised in EU_MEMBER_STATES:
        return Region.EU
    if normalised == "CN":
        return Region.CN
    return Region.OTHER


def country_name(code: str, locale: str = "en") -> str:
    """The name of country *code* in *locale* (English when the locale has none); *code* if unknown."""
    english = COUNTRY_NAMES.get(code)
    if english is None:
        return code
    if locale.split("_")[0].split("-")[0] == "en":
        return english
    try:
        return Locale.parse(locale.replace("-", "_")).territories.get(code, english)
    except (UnknownLocaleError, ValueError):
        return english


def country_choices(locale: str = "en") -> list[tuple[str, str]]:
    """``(code, name)`` for every country, sorted by name in *locale*: the choices of a country field."""
    choices = [(code, country_name(code, locale)) for code in COUNTRY_NAMES]
    return sorted(choices, key=lambda choice: (choice[1].casefold(), choice[0]))


def normalise_organisation_name(name: str) -> str:
    """*name* reduced for finding duplicates: case, accents, punctuation and legal forms removed.

    "Nordlicht Medical GmbH", "NORDLICHT MEDICAL" and "Nordlicht-Medical G.m.b.H." all give
    "nordlicht medical"; "青岛海博生物科技有限公司" gives "青岛海博生物科技". A name that is nothing
    but a legal form keeps it ("Company Ltd" → "company"), so the result is empty only for a blank name.
    """
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES_AND_DOTS.sub("", text)
    # Every other punctuation mark or symbol separates words.
    text = "".join(" " if unicodedata.category(char)[0] in "PS" else char for char in text)
    tokens = text.split()
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if len(suffix) < len(tokens) and tuple(tokens[-len(suffix) :]) == suffix:
                del tokens[-len(suffix) :]
                changed = True
                break
    if tokens:
        stripped = _strip_chinese_legal_suffix(tokens[-1])
        if stripped or len(tokens) > 1:
            tokens[-1] = stripped
    return " ".join(token for token in tokens if token)


def _strip_chinese_legal_suffix(word: str) -> str:
    """*word* without a trailing Chinese legal form (有限公司 …); empty when it is nothing else."""
    for suffix in _CHINESE_LEGAL_SUFFIXES:
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


# --- Country choices and country names typed by people ------------------------------------------------

# Listed first in every country select: our users are European and Chinese organisations.
FEATURED_COUNTRIES: frozenset[str] = EU_MEMBER_STATES | {"CN"}

# Names people (and spreadsheets) use that differ from the CLDR names above, casefolded.
_COUNTRY_ALIASES: dict[str, str] = {
    "czech republic": "CZ",
    "turkey": "TR",
    "the netherlands": "NL",
    "holland": "NL",
    "united kingdom of great britain and northern ireland": "GB",
    "great britain": "GB",
    "uk": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "people's republic of china": "CN",
    "peoples republic of china": "CN",
    "pr china": "CN",
    "p.r. china": "CN",
    "prc": "CN",
    "mainland china": "CN",
    "hong kong": "HK",
    "macao": "MO",
    "macau": "MO",
    "republic of korea": "KR",
    "korea": "KR",
    "russian federation": "RU",
    "viet nam": "VN",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "swaziland": "SZ",
    "macedonia": "MK",
    "burma": "MM",
    "myanmar": "MM",
    "vatican": "VA",
    "holy see": "VA",
    "中国": "CN",
    "中国大陆": "CN",
    "中华人民共和国": "CN",
}


def prioritised_country_choices(locale: str = "en") -> list[tuple[str, str, bool]]:
    """``(code, name, featured)`` for every country: EU-27 and China first, then the rest, each by name."""
    choices = country_choices(locale)
    featured = [(code, name, True) for code, name in choices if code in FEATURED_COUNTRIES]
    others = [(code, name, False) for code, name in choices if code not in FEATURED_COUNTRIES]
    return featured + others


def _country_key(text: str) -> str:
    """A country name reduced for lookup: casefolded, '&' as 'and', curly apostrophes straight."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("&", " and ")
    return " ".join(text.split())


@functools.cache
def _country_lookup() -> dict[str, str]:
    """Every accepted spelling (casefolded) → ISO code: codes, English and Chinese names, aliases."""
    lookup: dict[str, str] = {}
    try:
        chinese = Locale.parse("zh").territories
    except (UnknownLocaleError, ValueError):  # pragma: no cover - Babel always ships zh
        chinese = {}
    for code, english in COUNTRY_NAMES.items():
        lookup[_country_key(english)] = code
        if code in chinese:
            lookup[_country_key(chinese[code])] = code
    lookup.update({_country_key(alias): code for alias, code in _COUNTRY_ALIASES.items()})
    return lookup


def country_code_from_text(text: str | None) -> str | None:
    """The ISO code a person meant by *text* ("de", "Germany", "德国", "Czech Republic"); None if unknown."""
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    if len(cleaned) == 2 and cleaned.upper() in COUNTRY_NAMES:
        return cleaned.upper()
    return _country_lookup().get(_country_key(cleaned))


# --- Websites ---------------------------------------------------------------------------------------

# Hosts shared by many organisations (social networks, site builders): their domain identifies nobody,
# so it is never used to find duplicates.
SHARED_WEBSITE_DOMAINS: frozenset[str] = frozenset(
    {
        "linkedin.com", "facebook.com", "twitter.com", "x.com", "instagram.com", "youtube.com",
        "github.com", "weibo.com", "weixin.qq.com", "mp.weixin.qq.com", "sites.google.com",
        "google.com", "wix.com", "wixsite.com", "wordpress.com", "blogspot.com", "medium.com",
    }
)  # fmt: skip
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*)://", re.IGNORECASE)
# "javascript:…", "mailto:…", "data:…": a scheme without "//" (a port after a host has digits).
_OPAQUE_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.\-]*:(?!\d)", re.IGNORECASE)
_HOST_LABEL_RE = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")


def normalise_website(text: str) -> str:
    """*text* as an http(s) URL ("example.com" gets ``https://``); ValueError if it is not a web address."""
    url = text.strip()
    if not url or any(char.isspace() for char in url):
        raise ValueError("not a web address")
    match = _SCHEME_RE.match(url)
    if match is None:
        if _OPAQUE_SCHEME_RE.match(url):
            raise ValueError("only http and https addresses are accepted")
        url = "https://" + url
    elif match.group(1).lower() not in ("http", "https"):
        raise ValueError("only http and https addresses are accepted")
    if _host(url) is None:
        raise ValueError("not a web address")
    return url


def _host(url: str) -> str | None:
    """The lower-cased host of an http(s) *url* without "www." and trailing dot; None if it has none."""
    try:
        parts = urlsplit(url if _SCHEME_RE.match(url) else "https://" + url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL_RE.match(label) for label in labels):
        return None
    if labels[-1].isdigit():  # an IP address identifies no organisation
        return None
    return host.removeprefix("www.")


def website_domain(url: str | None) -> str | None:
    """The domain that identifies an organisation's website (``https://www.Acme.de/en`` → ``acme.de``).

    None when there is no usable host, or when it is a shared host (LinkedIn, WeChat articles …)
    where many organisations have pages.
    """
    if not url:
        return None
    host = _host(url.strip())
    if host is None:
        return None
    labels = host.split(".")
    if any(".".join(labels[start:]) in SHARED_WEBSITE_DOMAINS for start in range(len(labels) - 1)):
        return None
    return host
