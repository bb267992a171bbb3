"""Reading partner lists of organisations from CSV files: encoding, columns and every row's problems.

Plain Python (no Flask, no database): bytes or rows in, checked values and problems out. Which rows
already exist, and the writing, are roadshow.organisations.services' business.

Problems are English message ids with ``%(name)s`` placeholders (marked for extraction with ``N_``);
the web layer translates them with ``gettext(problem.message, **problem.params)``.

A file is refused as a whole (ImportRefusedError) when it cannot be read: too big, not UTF-8 or
GB18030, unreadable characters, more than MAX_IMPORT_ROWS rows, no header or no name/country
column. Otherwise each row gets its problems; a file with any problem must import nothing.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from roadshow.countries import (
    country_code_from_text,
    normalise_organisation_name,
    normalise_website,
    website_domain,
)

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP);
# full-width forms too, which some spreadsheet programs accept in Chinese input.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")

FIELD_MAX_LENGTHS: dict[str, int] = {
    "name": 200,
    "name_zh": 200,
    "country": 100,
    "city": 120,
    "website": 300,
    "sectors": 1000,
    "description": 20000,
    "description_zh": 20000,
}
REQUIRED_FIELDS = ("name", "country")


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext "no-op" marker, found by pybabel
    """Mark *message* for translation without translating it here."""
    return message


# Header names accepted for each field, compared case-insensitively with blanks, "-" and "_" alike.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "name_en", "english name", "organisation", "organization", "organisation name",
        "organization name", "company", "company name", "名称", "英文名称", "英文名", "企业名称",
    ),
    "name_zh": ("name_zh", "chinese name", "name in chinese", "中文名称", "中文名", "企业中文名称"),
    "country": ("country", "country code", "country/region", "国家", "国家/地区", "国别"),
    "city": ("city", "town", "城市"),
    "website": ("website", "web site", "web", "url", "homepage", "网站", "网址", "官网"),
    "sectors": ("sectors", "sector", "industry", "industries", "行业", "领域"),
    "description": ("description", "description_en", "about", "简介", "描述", "介绍"),
    "description_zh": ("description_zh", "chinese description", "中文简介", "中文描述", "中文介绍"),
}  # fmt: skip


def _header_key(text: str) -> str:
    """A header cell reduced for comparison: NFKC, casefolded, blanks/hyphens/underscores as one space."""
    text = unicodedata.normalize("NFKC", text).casefold().strip().lstrip("\ufeff")
    return " ".join(re.split(r"[\s_\-]+", text)).strip()


_HEADER_LOOKUP: dict[str, str] = {
    _header_key(alias): field_name for field_name, aliases in COLUMN_ALIASES.items() for alias in aliases
}


class ImportRefusedError(ValueError):
    """The file as a whole cannot be imported; *message* and *params* say why (translatable)."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class RowProblem:
    """Why one row (or one of its cells) cannot be imported."""

    column: str | None
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        """The problem in English (for logs and command-line tools)."""
        return self.message % dict(self.params) if self.params else self.message


@dataclass(frozen=True)
class ImportedOrganisation:
    """The checked values of one row, ready to be written."""

    name: str
    normalised_name: str
    country: str
    city: str = ""
    website: str | None = None
    website_domain: str | None = None
    sector_slugs: tuple[str, ...] = ()
    description: str = ""
    name_zh: str | None = None
    description_zh: str | None = None


@dataclass
class ParsedRow:
    """One data row: where it is, its cells by field, its values when good, else its problems."""

    line: int
    cells: dict[str, str]
    organisation: ImportedOrganisation | None
    problems: list[RowProblem]


@dataclass
class ParsedFile:
    """A readable file: its encoding, columns, and every data row in order."""

    encoding: str
    columns: tuple[str, ...]
    ignored_columns: tuple[str, ...]
    rows: list[ParsedRow]

    @property
    def lines_with_problems(self) -> list[int]:
        """The line numbers of the rows that have problems."""
        return [row.line for row in self.rows if row.problems]


# --- Bytes → text ------------------------------------------------------------------------------------


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """``(text, encoding label)`` for UTF-8 (with or without BOM) or GB18030 bytes; refuses the rest."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefusedError(
            N_("The file is larger than %(mb)d MB. Split it into smaller files."),
            mb=MAX_IMPORT_BYTES // (1024 * 1024),
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefusedError(
            N_("The file is in UTF-16. Save it as “CSV UTF-8” (or GB18030) and upload it again.")
        )
    try:
        text = data.decode("utf-8-sig")
        encoding = "UTF-8 (BOM)" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ImportRefusedError(
                N_("The file is neither UTF-8 nor GB18030 text. Save it as “CSV UTF-8” and upload it again.")
            ) from None
        encoding = "GB18030"
        text = text.removeprefix("\ufeff")
    _refuse_unreadable_characters(text)
    return text, encoding


# Control characters (Unicode category Cc) other than tab, LF and CR; the replacement character; surrogates.
_UNREADABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff]")


def _refuse_unreadable_characters(text: str) -> None:
    """Refuse text holding replacement characters or control characters other than tab and newlines."""
    found = _UNREADABLE_RE.search(text)
    if found is not None:
        raise ImportRefusedError(
            N_(
                "Line %(line)d holds a character that is not text (%(code)s): the file is damaged "
                "or not a CSV file."
            ),
            line=text.count("\n", 0, found.start()) + 1,
            code=f"U+{ord(found.group()):04X}",
        )


def guess_delimiter(text: str) -> str:
    """The cell separator of the first non-blank line: comma, semicolon (European Excel) or tab."""
    for line in text.splitlines():
        if line.strip():
            counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
            best = max(counts, key=lambda delimiter: counts[delimiter])
            return best if counts[best] > 0 else ","
    return ","


def csv_records(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """``(line number where the record starts, cells)`` for each non-blank record of *text*."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield start, cells
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportRefusedError(
            N_("Line %(line)d cannot be read as CSV (%(reason)s)."), line=reader.line_num, reason=str(error)
        ) from None


# --- Text → rows ---------------------------------------------------------------------------------------


def sector_lookup(sectors: Iterable[tuple[str, str, str | None]]) -> dict[str, str]:
    """Each way of writing a sector (slug, English or Chinese name, casefolded) → its slug."""
    lookup: dict[str, str] = {}
    for slug, name, name_zh in sectors:
        for spelling in (slug, name, name_zh):
            if spelling:
                lookup[_sector_key(spelling)] = slug
    return lookup


def _sector_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_organisations_csv(data: bytes, sectors: Mapping[str, str]) -> ParsedFile:
    """Read an uploaded CSV file of organisations; ImportRefusedError when it cannot be read at all.

    Args:
        data: the file's bytes (UTF-8 with or without BOM, or GB18030).
        sectors: the known sectors, as made by sector_lookup().
    """
    text, encoding = decode_csv_bytes(data)
    delimiter = guess_delimiter(text)
    # Count first, keeping nothing, so that a 100,000-row file is refused before any row is checked.
    for count, _record in enumerate(csv_records(text, delimiter), start=1):
        if count > MAX_IMPORT_ROWS + 1:  # the header row is not a data row
            raise ImportRefusedError(
                N_("The file has more than %(max)d rows. Split it into files of at most %(max)d rows."),
                max=MAX_IMPORT_ROWS,
            )
    records = csv_records(text, delimiter)
    header = next(records, None)
    if header is None:
        raise ImportRefusedError(N_("The file is empty."))
    parsed = check_rows(header[1], records, sectors, header_line=header[0])
    parsed.encoding = encoding
    return parsed


def check_rows(
    header: Sequence[str],
    records: Iterable[tuple[int, Sequence[str]]],
    sectors: Mapping[str, str],
    *,
    header_line: int = 1,
) -> ParsedFile:
    """Check rows already split into cells: the header names the columns, then one record per row.

    Args:
        header: the header cells (English names, a few Chinese aliases; case does not matter).
        records: ``(line number, cells)`` for each data row.
        sectors: the known sectors, as made by sector_lookup().
        header_line: the header's line number, for messages about it.
    """
    columns = _columns(header, header_line)
    rows: list[ParsedRow] = []
    seen_names: dict[str, int] = {}
    seen_domains: dict[str, int] = {}
    for line, cells in records:
        if len(rows) >= MAX_IMPORT_ROWS:
            raise ImportRefusedError(
                N_("The file has more than %(max)d rows. Split it into files of at most %(max)d rows."),
                max=MAX_IMPORT_ROWS,
            )
        row = _check_row(line, cells, columns, sectors)
        if row.organisation is not None:
            _check_repeat(row, seen_names, seen_domains)
        rows.append(row)
    if not rows:
        raise ImportRefusedError(N_("The file has a header row but no organisations."))
    return ParsedFile(
        encoding="",
        columns=tuple(name for name in columns if name is not None),
        ignored_columns=tuple(
            cell.strip() for cell, name in zip(header, columns, strict=True) if name is None and cell.strip()
        ),
        rows=rows,
    )


def _columns(header: Sequence[str], line: int) -> list[str | None]:
    """The field of each header cell (None for a column that is not imported)."""
    columns: list[str | None] = []
    for cell in header:
        field_name = _HEADER_LOOKUP.get(_header_key(cell))
        if field_name is not None and field_name in columns:
            raise ImportRefusedError(
                N_("Line %(line)d: the column “%(column)s” appears twice."), line=line, column=field_name
            )
        columns.append(field_name)
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ImportRefusedError(
            N_(
                "The first row must name the columns, including %(missing)s. Accepted columns: "
                "name, name_zh, country, city, website, sectors, description, description_zh."
            ),
            missing=", ".join(missing),
        )
    return columns


def is_formula(cell: str) -> bool:
    """True when a spreadsheet would run *cell* as a formula (it starts with = + - @, tab or CR)."""
    return cell.startswith(FORMULA_PREFIXES) or cell.lstrip(" ").startswith(FORMULA_PREFIXES)


def _check_row(
    line: int, cells: Sequence[str], columns: Sequence[str | None], sectors: Mapping[str, str]
) -> ParsedRow:
    problems: list[RowProblem] = []
    values: dict[str, str] = dict.fromkeys(FIELD_MAX_LENGTHS, "")
    formula_columns: set[str] = set()
    if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
        problems.append(
            RowProblem(
                None,
                N_("The row has %(cells)d cells but the header only %(columns)d columns."),
                {"cells": len(cells), "columns": len(columns)},
            )
        )
    for index, cell in enumerate(cells):
        column = columns[index] if index < len(columns) else None
        if is_formula(cell):
            problems.append(
                RowProblem(
                    column,
                    N_(
                        "Cell %(cell)d starts with “%(start)s”, which a spreadsheet would run as a formula. "
                        "Remove that character (write negative numbers without a sign)."
                    ),
                    {"cell": index + 1, "start": cell.lstrip(" ")[:1].replace("\t", "⇥").replace("\r", "↵")},
                )
            )
            if column is not None:
                formula_columns.add(column)
        if column is not None:
            values[column] = cell.strip()
    for column, value in values.items():
        if len(value) > FIELD_MAX_LENGTHS[column]:
            problems.append(
                RowProblem(
                    column,
                    N_("“%(column)s” is longer than %(max)d characters."),
                    {"column": column, "max": FIELD_MAX_LENGTHS[column]},
                )
            )
    cells_by_field = {column: value for column, value in values.items() if column in columns}
    # A formula cell is reported once, not again as a bad country or website.
    checked = {column: ("" if column in formula_columns else value) for column, value in values.items()}
    organisation = _organisation(checked, sectors, problems, formula_columns)
    return ParsedRow(line, cells_by_field, organisation if not problems else None, problems)


def _organisation(
    values: dict[str, str], sectors: Mapping[str, str], problems: list[RowProblem], skip: set[str]
) -> ImportedOrganisation | None:
    """Check the cells' meaning; add a problem for each bad one (not for *skip*). None when any is bad."""
    before = len(problems)
    normalised = normalise_organisation_name(values["name"])
    if not values["name"]:
        if "name" not in skip:
            problems.append(RowProblem("name", N_("The name is missing.")))
    elif not normalised:
        problems.append(RowProblem("name", N_("The name has no letters or digits.")))
    country = country_code_from_text(values["country"])
    if not values["country"]:
        if "country" not in skip:
            problems.append(RowProblem("country", N_("The country is missing.")))
    elif country is None:
        problems.append(
            RowProblem(
                "country",
                N_("Unknown country “%(country)s”: write its ISO code (DE, CN …) or English name."),
                {"country": values["country"]},
            )
        )
    website = None
    if values["website"]:
        try:
            website = normalise_website(values["website"])
        except ValueError:
            problems.append(
                RowProblem(
                    "website",
                    N_("“%(website)s” is not a web address (http or https)."),
                    {"website": values["website"]},
                )
            )
    slugs: list[str] = []
    for token in re.split(r"[;；、]", values["sectors"]):
        if not token.strip():
            continue
        slug = sectors.get(_sector_key(token))
        if slug is None:
            problems.append(
                RowProblem(
                    "sectors",
                    N_("Unknown sector “%(sector)s”. Known sectors: %(known)s."),
                    {"sector": token.strip(), "known": ", ".join(sorted(set(sectors.values())))},
                )
            )
        elif slug not in slugs:
            slugs.append(slug)
    if len(problems) > before or country is None:
        return None
    return ImportedOrganisation(
        name=values["name"],
        normalised_name=normalised,
        country=country,
        city=values["city"],
        website=website,
        website_domain=website_domain(website),
        sector_slugs=tuple(slugs),
        description=values["description"],
        name_zh=values["name_zh"] or None,
        description_zh=values["description_zh"] or None,
    )


def _check_repeat(row: ParsedRow, seen_names: dict[str, int], seen_domains: dict[str, int]) -> None:
    """A row naming the same organisation as an earlier row (by name or website domain) is a problem."""
    organisation = row.organisation
    assert organisation is not None
    earlier = seen_names.get(organisation.normalised_name)
    if earlier is not None:
        row.problems.append(
            RowProblem("name", N_("Same organisation name as line %(line)d."), {"line": earlier})
        )
    domain = organisation.website_domain
    if domain is not None and domain in seen_domains:
        row.problems.append(
            RowProblem(
                "website",
                N_("Same website (%(domain)s) as line %(line)d."),
                {"domain": domain, "line": seen_domains[domain]},
            )
        )
    if row.problems:
        row.organisation = None
        return
    seen_names[organisation.normalised_name] = row.line
    if domain is not None:
        seen_domains[domain] = row.line
