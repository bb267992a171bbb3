"""Benchmark calendar feeds: the cold build against icalendar, and serving under gunicorn with wrk.

    .venv/bin/python benchmarks/bench_feeds.py [--sessions 2000] [--duration 5] [--cold-only]

1. Cold build of an event feed of N sessions (default 2,000, over 2 days either side of the October
   DST change, with 100 published pitch slots): Roadshow's path (two queries, rows → values, text)
   with the VTIMEZONE cache emptied each time, against ``icalendar`` alone building and serialising
   the same events (``add_missing_timezones`` included). Best of several runs. Target: ≤ 1.3×.
2. Under gunicorn on 127.0.0.1 (2 workers × 4 threads, gthread) and wrk (Debian's ``wrk``): req/s of
   the warm full event feed, of its 304, and of a 30-event personal feed, each beside a minimal
   Flask route in the same server serving a constant body of the same size / a bare 304. Targets:
   ≥ 0.5× for the event feed and its 304, ≥ 0.3× for the personal feed. For reference, the app's
   ``/healthz`` (no database) shows what every request of the full app costs (session, login,
   rate limiter, security headers, request ids) before a feed route runs. Each URL is measured
   ``--repeat`` times (interleaved) and its best run kept, to damp other load on the machine.

The data lives in a temporary SQLite file (``--database-url`` for PostgreSQL; its tables are
dropped and created). As in production, the served app uses Redis (``--redis-url``, database 13 by
default, flushed first) for its shared caches and token checks when it answers. Traffic goes to
127.0.0.1 only, for a bounded time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EVENT_SLUG = "bench-summit"
PERSONAL_EVENT_SLUG = "bench-personal"
ZONE = "Europe/Brussels"
CHANGE_DAY = date(2030, 10, 27)  # the last Sunday of October 2030: clocks go back in Europe


def bench_config(database_url: str, server_name: str) -> type:
    """A production-like configuration for the benchmark app."""
    from config import Config

    class BenchConfig(Config):
        ENV_NAME = "bench"
        SECRET_KEY = "bench-secret-key-not-for-production"  # noqa: S105 - benchmark only
        SQLALCHEMY_DATABASE_URI = database_url
        SERVER_NAME = server_name
        PREFERRED_URL_SCHEME = "http"
        RATELIMIT_STORAGE_URI = "memory://"
        # As in production (README): shared caches and token checks in Redis when it answers.
        REDIS_URL = os.environ.get("BENCH_REDIS_URL") or None

    return BenchConfig


def serve_app():
    """The WSGI app gunicorn runs: Roadshow, plus ``/baseline/...`` minimal Flask routes."""
    from flask import Flask, Response
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from config import normalise_database_url
    from roadshow import create_app

    roadshow = create_app(
        bench_config(
            normalise_database_url(os.environ["BENCH_DATABASE_URL"]), os.environ["BENCH_SERVER_NAME"]
        )
    )
    sizes = {
        "event": int(os.environ["BENCH_EVENT_BYTES"]),
        "personal": int(os.environ["BENCH_PERSONAL_BYTES"]),
    }
    bodies = {name: b"x" * size for name, size in sizes.items()}
    baseline = Flask("baseline")

    @baseline.get("/body/<name>")
    def constant_body(name: str):
        return Response(bodies[name], content_type="text/calendar; charset=utf-8")

    @baseline.get("/not-modified")
    def bare_304():
        return Response(status=304)

    return DispatcherMiddleware(roadshow, {"/baseline": baseline})


# --- Data -------------------------------------------------------------------------------------------


def seed(app, sessions: int) -> str:
    """Create the schema, an event of *sessions* sessions (and 100 published pitch slots), and a user
    with 30 starred sessions of another event; returns the user's personal feed token."""
    import sqlalchemy as sa

    from roadshow.enums import EventKind, EventStatus, SessionKind, SlotState
    from roadshow.extensions import db
    from roadshow.feeds import tokens
    from roadshow.models import (
        Base,
        Event,
        Organisation,
        PitchApplication,
        PitchSlot,
        ProgrammeSession,
        Registration,
        User,
        session_stars,
    )

    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        now = datetime.now(UTC)
        events = []
        for slug, days in ((EVENT_SLUG, 4), (PERSONAL_EVENT_SLUG, 1)):
            event = Event(
                slug=slug,
                kind=EventKind.ROADSHOW,
                status=EventStatus.PUBLISHED,
                title=f"Benchmark {slug}, 中欧路演",
                timezone=ZONE,
                start_date=CHANGE_DAY - timedelta(days=2),
                end_date=CHANGE_DAY - timedelta(days=2) + timedelta(days=days - 1),
                join_url="https://meet.example.org/bench",
                contact_email="organisers@example.org",
            )
            db.session.add(event)
            events.append(event)
        db.session.flush()
        tz = ZoneInfo(ZONE)
        rows = []
        for n in range(sessions):
            day = CHANGE_DAY - timedelta(days=2) + timedelta(days=n % 4)
            start = datetime(day.year, day.month, day.day, 8, 0, tzinfo=tz) + timedelta(
                minutes=5 * (n // 4 % 120)
            )
            rows.append(
                {
                    "event_id": events[0].id,
                    "kind": SessionKind.PANEL,
                    "status": "scheduled",
                    "title": f"Session {n}: biomedicine, robotics; 生物医药与机器人",
                    "description": "A panel on medical devices and rehabilitation.\nSecond line.",
                    "starts_at": start.astimezone(UTC),
                    "ends_at": (start + timedelta(minutes=45)).astimezone(UTC),
                    "track": f"Track {n % 8}",
                    "sequence": n % 3,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for n in range(30):
            start = datetime(2030, 10, 25, 8, 0, tzinfo=tz) + timedelta(minutes=20 * n)
            rows.append(
                {
                    **rows[0],
                    "event_id": events[1].id,
                    "title": f"Personal {n}",
                    "starts_at": start.astimezone(UTC),
                    "ends_at": (start + timedelta(minutes=15)).astimezone(UTC),
                }
            )
        db.session.execute(sa.insert(ProgrammeSession), rows)
        block = ProgrammeSession(
            event_id=events[0].id,
            kind=SessionKind.PITCH_BLOCK,
            title="Pitches",
            starts_at=datetime(2030, 10, 28, 13, 0, tzinfo=UTC),
            ends_at=datetime(2030, 10, 29, 13, 0, tzinfo=UTC),
        )
        db.session.add(block)
        db.session.flush()
        for n in range(100):
            organisation = Organisation(
                name=f"Company {n}", normalised_name=f"company {n}", country="DE", region="EU"
            )
            db.session.add(organisation)
            db.session.flush()
            application = PitchApplication(
                event_id=events[0].id,
                organisation_id=organisation.id,
                title=f"Project {n}",
                summary="…",
                stage="prototype",
                timezone=ZONE,
                status="accepted",
            )
            db.session.add(application)
            db.session.flush()
            start = block.starts_at + timedelta(minutes=15 * n)
            db.session.add(
                PitchSlot(
                    session_id=block.id,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=15),
                    application_id=application.id,
                    state=SlotState.PUBLISHED,
                )
            )
        user = User(email="bench@example.org", password_hash="!", name="Bench")  # noqa: S106 - no login
        db.session.add(user)
        db.session.flush()
        registration = Registration(event_id=events[1].id, user_id=user.id)
        db.session.add(registration)
        db.session.flush()
        personal_ids = db.session.scalars(
            sa.select(ProgrammeSession.id).where(ProgrammeSession.event_id == events[1].id)
        ).all()
        db.session.execute(
            sa.insert(session_stars),
            [{"registration_id": registration.id, "session_id": sid} for sid in personal_ids],
        )
        token = tokens.issue_token(user)
        db.session.commit()
        return token


# --- Cold build -------------------------------------------------------------------------------------


def best_of(function: Callable[[], object], runs: int) -> float:
    """The fastest of *runs* calls, in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def icalendar_alone(info, entries) -> bytes:
    """The same events built and serialised with icalendar's object model."""
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//Roadshow//Roadshow Calendar 1.0//EN")
    calendar.add("name", info.name)
    calendar.add("x-wr-calname", info.name)
    calendar.add("description", info.description)
    calendar.add("x-wr-caldesc", info.description)
    first = last = None
    for entry in entries:
        tz = ZoneInfo(entry.timezone)
        start, end = entry.starts_at.astimezone(tz), entry.ends_at.astimezone(tz)
        first = min(first or start.date(), start.date())
        last = max(last or end.date(), end.date())
        event = icalendar.Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", entry.last_modified)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("sequence", entry.sequence)
        event.add("last-modified", entry.last_modified)
        event.add("status", entry.status.value)
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("location", entry.location)
        if entry.join_url:
            event.add("url", entry.join_url)
        event.add("categories", list(entry.categories))
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones(first_date=first - timedelta(days=1), last_date=last + timedelta(days=1))
    return calendar.to_ical()


def cold_build(app, runs: int) -> dict[str, float]:
    """Milliseconds: Roadshow's cold path (queries + build), its build alone, icalendar alone."""
    from roadshow.calendar import build_feed
    from roadshow.calendar.vtimezone import vtimezone_lines
    from roadshow.feeds import services

    with app.test_request_context():
        event = services.public_event(EVENT_SLUG)
        now = datetime.now(UTC)

        def ours_cold() -> bytes:
            vtimezone_lines.cache_clear()
            return services.render_event_feed(event, "en", now)

        info, entries = services.event_feed_values(event, "en", now)

        def ours_build() -> str:
            vtimezone_lines.cache_clear()
            return build_feed(info, entries)

        body = ours_cold()
        return {
            "events": len(entries),
            "bytes": len(body),
            "ours_cold": best_of(ours_cold, runs),
            "ours_build": best_of(ours_build, runs),
            "icalendar": best_of(lambda: icalendar_alone(info, entries), max(2, runs // 2)),
        }


# --- Serving ----------------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET *url* (loopback only)."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - 127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), b""


def wrk(
    url: str, duration: int, connections: int, threads: int, headers: dict[str, str] | None = None
) -> float:
    """Requests per second that wrk measured for *url*."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=duration + 60, check=True
    )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output.stdout)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses\n{output.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output.stdout).group(1))


def usable_redis(url: str) -> str | None:
    """*url* flushed and ready when Redis answers there (cached renderings of an earlier run, whose
    rows had the same ids, must not be served), else None."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=2)
        client.flushdb()
    except redis.RedisError:
        return None
    return url


def serve_and_measure(args, database_url: str, token: str, sizes: dict[str, int]) -> dict[str, float]:
    """Start gunicorn, warm the caches, run wrk against each URL; stop gunicorn."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": database_url,
        "BENCH_SERVER_NAME": f"127.0.0.1:{port}",
        "BENCH_EVENT_BYTES": str(sizes["event"]),
        "BENCH_PERSONAL_BYTES": str(sizes["personal"]),
        "BENCH_REDIS_URL": args.redis or "",
    }
    # An empty config file: the project's gunicorn.conf.py (sync workers, JSON access log) is for
    # production behind nginx; this run measures the issue's setting, with no access log.
    config = Path(tempfile.mkdtemp()) / "gunicorn_bench.conf.py"
    config.write_text("")
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--config",
        str(config),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.worker_threads),
        "--worker-class",
        "gthread",
        "--bind",
        f"127.0.0.1:{port}",
        "--pythonpath",
        f"{ROOT},{ROOT / 'benchmarks'}",
        "--log-level",
        "warning",
        "bench_feeds:serve_app()",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    try:
        for _ in range(100):
            try:
                if fetch(f"{base}/baseline/not-modified")[0] == 304:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        feed, personal = f"{base}/events/{EVENT_SLUG}/calendar.ics", f"{base}/calendar/{token}.ics"
        # Warm every worker's cache (connections spread over workers).
        for _ in range(4 * args.workers):
            status, headers, _ = fetch(feed)
            fetch(personal)
        assert status == 200
        etag = headers["ETag"]
        assert fetch(feed, {"If-None-Match": etag})[0] == 304
        targets = {
            "feed": (feed, None),
            "feed_base": (f"{base}/baseline/body/event", None),
            "feed_304": (feed, {"If-None-Match": etag}),
            "bare_304": (f"{base}/baseline/not-modified", None),
            "personal": (personal, None),
            "personal_base": (f"{base}/baseline/body/personal", None),
            "healthz": (f"{base}/healthz", None),
        }
        # Each URL is measured --repeat times, interleaved with the others, and its best run kept,
        # so that a burst of load elsewhere on the machine does not decide a ratio.
        best = dict.fromkeys(targets, 0.0)
        for _ in range(args.repeat):
            for name, (url, headers) in targets.items():
                rate = wrk(url, args.duration, args.connections, args.wrk_threads, headers)
                best[name] = max(best[name], rate)
        return best
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    """Seed, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7, help="cold builds to take the best of")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--repeat", type=int, default=3, help="wrk runs per URL (the best is kept)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-threads", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/13",
        help="Redis for the served app, as in production (flushed); not used when it does not answer",
    )
    parser.add_argument("--cold-only", action="store_true", help="skip the gunicorn/wrk part")
    args = parser.parse_args()
    args.redis = usable_redis(args.redis_url)

    from config import normalise_database_url
    from roadshow import create_app

    with tempfile.TemporaryDirectory() as folder:
        database_url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app(bench_config(normalise_database_url(database_url), "127.0.0.1"))
        token = seed(app, args.sessions)
        cold = cold_build(app, args.runs)
        with app.test_request_context():
            from roadshow.feeds import services, tokens

            owner = tokens.token_owner(token)
            personal_bytes = len(services.render_personal_feed(owner))
        ratio = cold["ours_cold"] / cold["icalendar"]
        print(f"Event feed: {cold['events']} events, {cold['bytes'] / 1024:.0f} KiB; personal feed 30 events")
        print()
        print("| measurement | Roadshow | baseline | ratio | target |")
        print("|---|---:|---:|---:|---:|")
        print(
            f"| cold build, {cold['events']} events (ms, queries + build) | {cold['ours_cold']:.0f} "
            f"| icalendar alone {cold['icalendar']:.0f} | {ratio:.2f}× | ≤ 1.3× |"
        )
        print(
            f"| build only, same events (ms) | {cold['ours_build']:.0f} | icalendar alone "
            f"{cold['icalendar']:.0f} | {cold['ours_build'] / cold['icalendar']:.2f}× | |"
        )
        if args.cold_only:
            return
        if shutil.which("wrk") is None:
            print("\n(wrk is not installed: apt-get install -y wrk)")
            return
        served = serve_and_measure(
            args, database_url, token, {"event": cold["bytes"], "personal": personal_bytes}
        )
        rows = [
            (
                "warm event feed (req/s)",
                served["feed"],
                "constant body, same size",
                served["feed_base"],
                "≥ 0.5×",
            ),
            ("event feed 304 (req/s)", served["feed_304"], "bare 304", served["bare_304"], "≥ 0.5×"),
            (
                "personal feed, 30 events (req/s)",
                served["personal"],
                "constant body, same size",
                served["personal_base"],
                "≥ 0.3×",
            ),
        ]
        for label, ours, base_label, base, target in rows:
            print(f"| {label} | {ours:,.0f} | {base_label} {base:,.0f} | {ours / base:.2f}× | {target} |")
        print(
            f"| (reference) the app's own floor: /healthz, no database (req/s) | {served['healthz']:,.0f} "
            f"| bare 304 {served['bare_304']:,.0f} | {served['healthz'] / served['bare_304']:.2f}× | |"
        )
        print(
            f"\ngunicorn {args.workers} workers × {args.worker_threads} threads (gthread), wrk "
            f"-t{args.wrk_threads} -c{args.connections} -d{args.duration}s on 127.0.0.1, best of "
            f"{args.repeat}; "
            f"database {'SQLite' if database_url.startswith('sqlite') else 'PostgreSQL'}; "
            f"Redis: {'yes' if args.redis else 'no'}."
        )


if __name__ == "__main__":
    main()
