"""Fuzzing the parsers of user input with hypothesis: nothing but the project's own validation error
may escape (no crash, no 500), and the time-zone and scheduling round trips hold.

Bounded: each property runs a fixed number of examples with a deadline, and the whole file stays
within a few seconds. tests/test_timezones.py and tests/scheduling/ hold the main properties of
those modules; the ones here attack them with hostile input.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from roadshow import timezones
from roadshow.organisations import importer
from roadshow.scheduling import Problem, solve
from roadshow.scheduling.problem import ProblemError, parse_problem, problem_to_dict
from tests.conftest import post_form
from tests.threats.world import World, signed_in_client

FAST = settings(max_examples=150, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow])
HTTP = settings(
    max_examples=60,
    deadline=timedelta(seconds=3),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(["\x00", "\r", "\n", '"', ",", ";", "\t", "=", "\ufeff", "\u202e", "%", "\\"]),
    ),
    max_size=40,
)

# --- CSV import ---------------------------------------------------------------------------------------

SECTORS = importer.sector_lookup(
    [("robotics", "Robotics", "机器人"), ("medical-devices", "Medical devices", None)]
)
HEADERS = [
    "name",
    "name_zh",
    "country",
    "city",
    "website",
    "sectors",
    "description",
    "description_zh",
    "名称",
    "国家",
]


@st.composite
def csv_documents(draw: st.DrawFn) -> bytes:
    """CSV-shaped bytes: a header of known and unknown columns, rows of hostile cells, an encoding."""
    columns = draw(st.lists(st.one_of(st.sampled_from(HEADERS), HOSTILE_TEXT), min_size=0, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(st.lists(st.lists(HOSTILE_TEXT, max_size=9), max_size=6))
    lines = [delimiter.join(columns)] + [delimiter.join(row) for row in rows]
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _parse(data: bytes) -> None:
    try:
        importer.parse_organisations_csv(data, SECTORS)
    except importer.ImportRefusedError as error:
        assert isinstance(error.message, str) and error.message


@FAST
@given(st.binary(max_size=400))
def test_csv_importer_on_arbitrary_bytes_raises_only_its_own_refusal(data: bytes):
    _parse(data)


@FAST
@given(csv_documents())
def test_csv_importer_on_hostile_csv_raises_only_its_own_refusal(data: bytes):
    _parse(data)


def test_csv_importer_refuses_a_nul_byte_file_with_its_own_error():
    with pytest.raises(importer.ImportRefusedError):
        importer.parse_organisations_csv(b"name,country\nA\x00B,DE\n", SECTORS)


@settings(
    max_examples=40,
    deadline=timedelta(seconds=3),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=csv_documents())
def test_import_preview_through_the_database_raises_only_its_own_refusal(app, data: bytes):
    from roadshow.organisations import services

    with app.test_request_context(), contextlib.suppress(importer.ImportRefusedError):
        services.plan_import(data)


# --- The scheduling problem file ------------------------------------------------------------------------

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), HOSTILE_TEXT),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(HOSTILE_TEXT, children, max_size=4),
    max_leaves=20,
)
# hypothesis takes naive bounds and attaches the zone itself.
EARLIEST, LATEST = datetime(1, 1, 2), datetime(9999, 12, 30)  # noqa: DTZ001
INSTANTS = st.one_of(
    st.datetimes(min_value=EARLIEST, max_value=LATEST, timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    st.sampled_from(
        ["2026-10-25T01:30:00", "2026-10-25T02:30:00+02:00", "not a time", "", "24:00", "2026-13-01T00:00Z"]
    ),
    HOSTILE_TEXT,
)


@st.composite
def problem_documents(draw: st.DrawFn) -> dict:
    """Documents shaped like the scheduling format, with hostile values in every place."""
    value = st.one_of(INSTANTS, JSON)
    slots = draw(
        st.lists(
            st.fixed_dictionaries(
                {"id": st.one_of(HOSTILE_TEXT, JSON), "start": value, "end": value},
                optional={"block": st.one_of(HOSTILE_TEXT, JSON)},
            ),
            max_size=4,
        )
    )
    companies = draw(
        st.lists(
            st.fixed_dictionaries(
                {"id": st.one_of(HOSTILE_TEXT, JSON)},
                optional={
                    "availability": st.lists(
                        st.fixed_dictionaries({"start": value, "end": value}), max_size=3
                    )
                    | JSON,
                    "priority": st.one_of(st.integers(-5, 1000), JSON),
                    "sector": st.one_of(HOSTILE_TEXT, JSON),
                },
            ),
            max_size=4,
        )
    )
    document = {"slots": slots, "companies": companies}
    if draw(st.booleans()):
        document["locked"] = draw(
            st.lists(st.fixed_dictionaries({"company": HOSTILE_TEXT, "slot": HOSTILE_TEXT}), max_size=2)
            | JSON
        )
    return document


@FAST
@given(st.one_of(JSON, problem_documents()))
def test_problem_parser_raises_only_problem_error(raw):
    try:
        problem = parse_problem(raw)
    except ProblemError as error:
        assert "\n" not in str(error)  # one line naming the culprit
        return
    # What it accepted solves, and survives a round trip through the file format.
    assert parse_problem(json.loads(json.dumps(problem_to_dict(problem)))) == problem
    solution = solve(problem)
    assert len({a.slot for a in solution.assignments}) == len(solution.assignments)


@FAST
@given(st.text(max_size=200))
def test_problem_parser_on_arbitrary_json_text(text: str):
    try:
        raw = json.loads(text)
    except ValueError:
        return
    with contextlib.suppress(ProblemError):
        parse_problem(raw)


@st.composite
def valid_problems(draw: st.DrawFn) -> Problem:
    """Small valid problems on a quarter-hour grid around the October 2026 DST change in Europe."""
    base = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    quarter = timedelta(minutes=15)
    slots = []
    for j in range(draw(st.integers(0, 5))):
        start = base + draw(st.integers(0, 24)) * quarter
        slots.append({"id": f"s{j}", "start": start.isoformat(), "end": (start + quarter).isoformat()})
    companies = []
    for i in range(draw(st.integers(0, 5))):
        windows = []
        for _ in range(draw(st.integers(0, 2))):
            start = base + draw(st.integers(-2, 24)) * quarter
            windows.append(
                {"start": start.isoformat(), "end": (start + draw(st.integers(1, 8)) * quarter).isoformat()}
            )
        companies.append(
            {"id": f"c{i}", "availability": windows, "priority": draw(st.sampled_from([1, 2, 5]))}
        )
    return parse_problem({"slots": slots, "companies": companies})


@FAST
@given(valid_problems())
def test_scheduler_output_is_always_a_valid_schedule(problem: Problem):
    solution = solve(problem)
    companies = {c.id: c for c in problem.companies}
    slots = {s.id: s for s in problem.slots}
    assert len({a.slot for a in solution.assignments}) == len(solution.assignments)
    assert len({a.company for a in solution.assignments}) == len(solution.assignments)
    for assignment in solution.assignments:
        slot = slots[assignment.slot]
        assert any(
            w.start <= slot.start and slot.end <= w.end for w in companies[assignment.company].availability
        )
    assert sorted(
        [a.company for a in solution.assignments] + [u.company for u in solution.unplaced]
    ) == sorted(companies)


# --- Time zones -----------------------------------------------------------------------------------------

ZONES = st.sampled_from(sorted(timezones.all_timezone_names()))
LOCAL_DAYS = st.dates(min_value=date(1970, 1, 2), max_value=date(2099, 12, 30))
WALL_TIMES = st.times()


@FAST
@given(day=LOCAL_DAYS, wall=WALL_TIMES, zone=ZONES)
def test_local_to_utc_strict_round_trips_or_raises_its_own_errors(day: date, wall: time, zone: str):
    try:
        instant = timezones.local_to_utc(day, wall, zone, strict=True)
    except (timezones.NonexistentLocalTimeError, timezones.AmbiguousLocalTimeError):
        return
    assert instant.tzinfo is not None
    back = timezones.utc_to_local(instant, zone)
    assert (back.date(), back.time().replace(tzinfo=None)) == (day, wall)


@FAST
@given(day=LOCAL_DAYS, wall=WALL_TIMES, zone=ZONES)
def test_local_to_utc_lenient_never_raises_and_lands_on_or_after_the_wall_time(day, wall, zone):
    instant = timezones.local_to_utc(day, wall, zone, strict=False)
    back = timezones.utc_to_local(instant, zone)
    assert back.replace(tzinfo=None) >= datetime.combine(day, wall)
    assert back.replace(tzinfo=None) - datetime.combine(day, wall) <= timedelta(hours=2)


@FAST
@given(
    name=st.one_of(
        HOSTILE_TEXT,
        st.sampled_from(
            ["UTC ", "Europe/Brussels/..", "../etc/passwd", "Etc/GMT+99", "zoneinfo", "EUROPE/BRUSSELS"]
        ),
    )
)
def test_unknown_zone_names_raise_only_the_projects_error(name: str):
    assume(name not in timezones.all_timezone_names())
    with pytest.raises(timezones.UnknownTimezoneError):
        timezones.zone(name)
    assert timezones.is_valid_timezone(name) is False


# --- Forms and query strings with dates, times and zones, over HTTP --------------------------------------

DATE_TEXT = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(
        ["0000-01-01", "9999-12-31", "2026-02-30", "2026-10-25", "20261025", "-1", "1e9", "", " "]
    ),
    HOSTILE_TEXT,
)
TIME_TEXT = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["24:00", "23:60", "02:30", "-1:00", "12:00:00.5", "9", "", "１２:００"]),
    HOSTILE_TEXT,
)


def _status_ok(status: int) -> bool:
    return status < 500


@HTTP
@given(day=DATE_TEXT, start=TIME_TEXT, end=TIME_TEXT, zones=st.one_of(HOSTILE_TEXT, ZONES), tz=HOSTILE_TEXT)
def test_query_strings_with_dates_times_and_zones_never_give_a_500(
    app, world: World, day, start, end, zones, tz
):
    organiser = world.tokens.get("organiser_client") or signed_in_client(app, world.user("organiser_a"))
    world.tokens["organiser_client"] = organiser
    q = lambda text: quote(text, safe="")  # noqa: E731
    for path in (
        f"/manage/planner/?date={q(day)}&start={q(start)}&end={q(end)}&zones={q(zones)}",
        f"/my/agenda/grid?day={q(day)}",
        f"/events/event-a?tz={q(tz)}",
        f"/my/agenda?tz={q(tz)}",
        f"/manage/events/{world.event_a.id}/applications/?country={q(tz)}&sort={q(day)}&dir={q(start)}",
    ):
        assert _status_ok(organiser.get(path).status_code), path


@HTTP
@given(day=DATE_TEXT, start=TIME_TEXT, end=TIME_TEXT, slot_minutes=HOSTILE_TEXT, capacity=HOSTILE_TEXT)
def test_session_and_event_forms_with_hostile_dates_and_times_never_give_a_500(
    app, world: World, day, start, end, slot_minutes, capacity
):
    organiser = world.tokens.get("organiser_client") or signed_in_client(app, world.user("organiser_a"))
    world.tokens["organiser_client"] = organiser
    manage = f"/manage/events/{world.event_a.id}"
    session = {
        "kind": "pitch_block",
        "title": "Fuzzed",
        "day": day,
        "start_time": start,
        "end_time": end,
        "slot_minutes": slot_minutes,
        "capacity": capacity,
    }
    event = {
        "kind": "roadshow",
        "title": "Roadshow A",
        "slug": "event-a",
        "timezone": "Europe/Brussels",
        "start_date": day,
        "end_date": day,
        "deadline_date": day,
        "deadline_time": start,
        "capacity": capacity,
    }
    for path, data in (
        (f"{manage}/sessions/new", session),
        (f"{manage}/sessions/{world.session_a.id}/move", {"day": day, "start_time": start, "track": end}),
        (f"{manage}/edit", event),
        (f"{manage}/pitches/slots/{world.slot_a_empty}/shorten", {"end_time": end}),
        (f"{manage}/pitches/slots/{world.slot_a_empty}/split", {"split_time": start}),
    ):
        status = post_form(organiser, path, {k: v.replace("\x00", "") for k, v in data.items()}).status_code
        assert _status_ok(status), (path, data, status)


@HTTP
@given(
    rows=st.lists(st.tuples(DATE_TEXT, TIME_TEXT, TIME_TEXT), min_size=1, max_size=4),
    zone=st.one_of(ZONES, HOSTILE_TEXT),
    amount=st.one_of(st.decimals(allow_nan=True).map(str), HOSTILE_TEXT),
    currency=HOSTILE_TEXT,
)
def test_application_availability_and_amounts_never_give_a_500(
    app, world: World, rows, zone, amount, currency
):
    member = world.tokens.get("member_client") or signed_in_client(app, world.user("member_a"))
    world.tokens["member_client"] = member
    data = {
        "title": "Rehab glove",
        "summary": "A glove.",
        "stage": "prototype",
        "seeking": ["investment"],
        "investment_amount": amount,
        "investment_currency": currency,
        "timezone": zone,
    }
    for i, (day, start, end) in enumerate(rows):
        data.update({f"windows-{i}-day": day, f"windows-{i}-start_time": start, f"windows-{i}-end_time": end})
    clean = {k: (v.replace("\x00", "") if isinstance(v, str) else v) for k, v in data.items()}
    status = post_form(member, f"/applications/{world.app_a.id}/edit", clean).status_code
    assert _status_ok(status), (clean, status)
