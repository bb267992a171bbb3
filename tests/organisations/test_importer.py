"""The CSV importer, as plain Python: encodings, columns, each row's problems, and the row limit."""

from __future__ import annotations

import time

import pytest

from roadshow.organisations.importer import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    ImportedOrganisation,
    ImportRefusedError,
    check_rows,
    decode_csv_bytes,
    guess_delimiter,
    is_formula,
    parse_organisations_csv,
    sector_lookup,
)

SECTORS = sector_lookup(
    [
        ("robotics", "Robotics", "机器人"),
        ("fintech", "Fintech", "金融科技"),
        ("medical-devices", "Medical devices and rehabilitation", "医疗器械与康复"),
    ]
)
HEADER = "name,name_zh,country,city,website,sectors,description,description_zh\n"


def _parse(text: str, encoding: str = "utf-8"):
    return parse_organisations_csv(text.encode(encoding), SECTORS)


def _problems(parsed) -> dict[int, list[str]]:
    return {row.line: [problem.english() for problem in row.problems] for row in parsed.rows if row.problems}


def test_parse_reads_every_column_of_a_good_row():
    parsed = _parse(
        HEADER + 'Nordlicht Medical GmbH,诺德光医疗,Germany,Berlin,www.nordlicht.de,"robotics; 金融科技",'
        "Rehab robots.,康复机器人。\n"
    )
    assert parsed.encoding == "UTF-8"
    assert parsed.columns == (
        "name",
        "name_zh",
        "country",
        "city",
        "website",
        "sectors",
        "description",
        "description_zh",
    )
    [row] = parsed.rows
    assert row.line == 2
    assert row.problems == []
    assert row.organisation == ImportedOrganisation(
        name="Nordlicht Medical GmbH",
        normalised_name="nordlicht medical",
        country="DE",
        city="Berlin",
        website="https://www.nordlicht.de",
        website_domain="nordlicht.de",
        sector_slugs=("robotics", "fintech"),
        description="Rehab robots.",
        name_zh="诺德光医疗",
        description_zh="康复机器人。",
    )


def test_parse_accepts_a_utf8_bom_and_upper_case_headers():
    data = b"\xef\xbb\xbf" + b"NAME,Country\nAcme,de\n"
    parsed = parse_organisations_csv(data, SECTORS)
    assert parsed.encoding == "UTF-8 (BOM)"
    assert parsed.columns == ("name", "country")
    assert parsed.rows[0].organisation is not None
    assert parsed.rows[0].organisation.name == "Acme"
    assert parsed.rows[0].organisation.country == "DE"


def test_parse_reads_gb18030_with_chinese_headers():
    text = (
        "名称,国家,城市,网站,行业\n青岛海博生物科技有限公司,中国,青岛,haibo-bio.cn,医疗器械与康复；机器人\n"
    )
    parsed = parse_organisations_csv(text.encode("gb18030"), SECTORS)
    assert parsed.encoding == "GB18030"
    [row] = parsed.rows
    assert row.problems == []
    assert row.organisation is not None
    assert row.organisation.name == "青岛海博生物科技有限公司"
    assert row.organisation.normalised_name == "青岛海博生物科技"
    assert row.organisation.country == "CN"
    assert row.organisation.city == "青岛"
    assert row.organisation.website_domain == "haibo-bio.cn"
    assert row.organisation.sector_slugs == ("medical-devices", "robotics")


def test_parse_reads_semicolon_separated_files_from_european_excel():
    parsed = _parse('name;country;sectors\nAcme SARL;FR;"robotics;fintech"\n')
    assert parsed.rows[0].organisation is not None
    assert parsed.rows[0].organisation.country == "FR"
    assert parsed.rows[0].organisation.sector_slugs == ("robotics", "fintech")


def test_guess_delimiter_prefers_the_most_frequent_separator():
    assert guess_delimiter("\n\nname;country;city\n") == ";"
    assert guess_delimiter("name\tcountry\n") == "\t"
    assert guess_delimiter("name\n") == ","


def test_parse_ignores_unknown_columns_and_blank_lines():
    parsed = _parse("name,Contact person,country\n\nAcme,Jane,DE\n,,\nBeta,Joe,FR\n")
    assert parsed.ignored_columns == ("Contact person",)
    assert [row.line for row in parsed.rows] == [3, 5]
    assert [row.organisation.name for row in parsed.rows if row.organisation] == ["Acme", "Beta"]


def test_decode_refuses_bytes_that_are_neither_utf8_nor_gb18030():
    with pytest.raises(ImportRefusedError, match="neither UTF-8 nor GB18030"):
        decode_csv_bytes(b"name,country\n\xff\xfe\xff,DE\n")


def test_decode_refuses_utf16():
    with pytest.raises(ImportRefusedError, match="UTF-16"):
        decode_csv_bytes("name,country\n".encode("utf-16"))


@pytest.mark.parametrize(
    ("data", "line", "code"),
    [
        (b"name,country\nAc\x00me,DE\n", 2, "U+0000"),
        ("name,country\nAcme,DE\nBeta\ufffd,FR\n".encode(), 3, "U+FFFD"),
        (b"name,country\x1b\nAcme,DE\n", 1, "U+001B"),
    ],
)
def test_decode_refuses_control_and_replacement_characters(data, line, code):
    with pytest.raises(ImportRefusedError) as refused:
        decode_csv_bytes(data)
    assert refused.value.params == {"line": line, "code": code}
    assert str(refused.value).startswith(f"Line {line} holds a character that is not text ({code})")


def test_decode_refuses_a_file_over_the_size_limit():
    with pytest.raises(ImportRefusedError, match="larger than 5 MB"):
        decode_csv_bytes(b"a" * (MAX_IMPORT_BYTES + 1))


def test_parse_refuses_a_file_without_name_or_country_column():
    with pytest.raises(ImportRefusedError) as refused:
        _parse("company,city\nAcme,Berlin\n")
    assert refused.value.params == {"missing": "country"}
    with pytest.raises(ImportRefusedError) as refused:
        _parse("city,website\nBerlin,acme.de\n")
    assert refused.value.params == {"missing": "name, country"}


def test_parse_refuses_a_column_named_twice():
    with pytest.raises(ImportRefusedError, match="“name” appears twice"):
        _parse("name,名称,country\nA,B,DE\n")


def test_parse_refuses_header_only_and_empty_files():
    with pytest.raises(ImportRefusedError, match="no organisations"):
        _parse("name,country\n")
    with pytest.raises(ImportRefusedError, match="The file is empty"):
        _parse("\n\n")


def test_parse_refuses_broken_quoting_with_its_line():
    with pytest.raises(ImportRefusedError) as refused:
        _parse('name,country\nAcme,DE\n"Beta" x",FR\n')
    assert refused.value.params["line"] == 3


def test_parse_reports_every_problem_of_every_bad_row():
    parsed = _parse(
        HEADER
        + "Good GmbH,,DE,,,,,\n"
        + ",,,,,,,\n"  # blank: skipped
        + "  ,,FR,,,,,\n"
        + "Acme,,Atlantis,,javascript:alert(1),space;robotics,,\n"
        + "Beta,,XX,,ftp://beta.example,,,\n"
        + "...,,DE,,,,,\n"
        + "Too many,,DE,,,,,,extra\n"
    )
    assert _problems(parsed) == {
        4: ["The name is missing."],
        5: [
            "Unknown country “Atlantis”: write its ISO code (DE, CN …) or English name.",
            "“javascript:alert(1)” is not a web address (http or https).",
            "Unknown sector “space”. Known sectors: fintech, medical-devices, robotics.",
        ],
        6: [
            "Unknown country “XX”: write its ISO code (DE, CN …) or English name.",
            "“ftp://beta.example” is not a web address (http or https).",
        ],
        7: ["The name has no letters or digits."],
        8: ["The row has 9 cells but the header only 8 columns."],
    }
    assert [row.organisation is not None for row in parsed.rows] == [True, False, False, False, False, False]


def test_parse_refuses_over_long_cells():
    parsed = _parse("name,country,city\n" + "A" * 201 + ",DE," + "B" * 121 + "\n")
    assert _problems(parsed) == {
        2: ["“name” is longer than 200 characters.", "“city” is longer than 120 characters."]
    }


@pytest.mark.parametrize(
    "cell",
    ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "  =1+1", "＝1+1"],
)
def test_is_formula_catches_every_formula_start(cell):
    assert is_formula(cell)


@pytest.mark.parametrize("cell", ["Acme", "100", "a=b", "e-mail", "", " plain"])
def test_is_formula_lets_ordinary_text_through(cell):
    assert not is_formula(cell)


def test_parse_refuses_formula_cells_in_any_column_once_each():
    parsed = _parse(
        'name,country,Notes\n=HYPERLINK("http://evil"),DE,\nAcme,-1,\nBeta,DE,@cmd\n"\tGamma",DE,\n'
    )
    problems = _problems(parsed)
    assert problems == {
        2: [
            "Cell 1 starts with “=”, which a spreadsheet would run as a formula. "
            "Remove that character (write negative numbers without a sign)."
        ],
        3: [
            "Cell 2 starts with “-”, which a spreadsheet would run as a formula. "
            "Remove that character (write negative numbers without a sign)."
        ],
        4: [
            "Cell 3 starts with “@”, which a spreadsheet would run as a formula. "
            "Remove that character (write negative numbers without a sign)."
        ],
        5: [
            "Cell 1 starts with “⇥”, which a spreadsheet would run as a formula. "
            "Remove that character (write negative numbers without a sign)."
        ],
    }
    assert all(row.organisation is None for row in parsed.rows)


def test_parse_flags_rows_repeating_an_earlier_name_or_website():
    parsed = _parse(
        "name,country,website\n"
        "Nordlicht Medical GmbH,DE,https://nordlicht.de\n"
        "NORDLICHT MEDICAL,AT,\n"
        "Other Name,FR,http://www.Nordlicht.de/fr\n"
        "Different,FR,https://different.fr\n"
    )
    assert _problems(parsed) == {
        3: ["Same organisation name as line 2."],
        4: ["Same website (nordlicht.de) as line 2."],
    }
    assert parsed.lines_with_problems == [3, 4]


def test_parse_accepts_exactly_the_row_limit():
    rows = "".join(f"Company {index},DE\n" for index in range(MAX_IMPORT_ROWS))
    parsed = _parse("name,country\n" + rows)
    assert len(parsed.rows) == MAX_IMPORT_ROWS
    assert parsed.lines_with_problems == []


def test_parse_refuses_one_row_over_the_limit():
    rows = "".join(f"Company {index},DE\n" for index in range(MAX_IMPORT_ROWS + 1))
    with pytest.raises(ImportRefusedError) as refused:
        _parse("name,country\n" + rows)
    assert refused.value.params == {"max": 10_000}


def test_parse_refuses_100000_rows_quickly():
    data = ("name,country\n" + "".join(f"C{index},DE\n" for index in range(100_000))).encode()
    assert len(data) < MAX_IMPORT_BYTES  # refused for its rows, not its size
    started = time.perf_counter()
    with pytest.raises(ImportRefusedError, match="more than 10000 rows"):
        parse_organisations_csv(data, SECTORS)
    assert time.perf_counter() - started < 1.0


def test_check_rows_takes_rows_already_split():
    parsed = check_rows(["Name", "Country", "Sectors"], [(2, ["Acme", "CN", "Robotics"])], SECTORS)
    assert parsed.rows[0].organisation is not None
    assert parsed.rows[0].organisation.sector_slugs == ("robotics",)
    assert parsed.rows[0].cells == {"name": "Acme", "country": "CN", "sectors": "Robotics"}


def test_check_rows_refuses_more_rows_than_the_limit_while_reading():
    records = ((line, [f"C{line}", "DE"]) for line in range(2, 200_000))
    with pytest.raises(ImportRefusedError, match="more than 10000 rows"):
        check_rows(["name", "country"], records, SECTORS)
