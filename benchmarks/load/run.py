"""Load figures for Roadshow under gunicorn + PostgreSQL + Redis on loopback, beside their ceilings.

    .venv/bin/python benchmarks/load/run.py            # or: make load
    .venv/bin/python benchmarks/load/run.py --duration 5 --database-url postgresql://postgres@127.0.0.1/scratch

Needs Debian's ``wrk`` (and ``nginx`` for the static ceiling and the proxied row):
``apt-get install -y wrk nginx``. PostgreSQL must answer at ``--database-url`` (its database is
created when missing and its tables are DROPPED: give it a scratch database); Redis is used when it
answers at ``--redis-url`` (database 14 by default).

What it does, all on 127.0.0.1, each wrk run for at most 10 seconds (a run disturbed by other
processes is repeated, twice at most):

1. seeds the database (benchmarks/load/seed.py: a 2,000-session summit, a typical summit, a
   roadshow, 200 users, a personal feed);
2. starts Roadshow with ``gunicorn -c gunicorn.conf.py wsgi:app`` (production settings, sync
   workers), a minimal Flask app with the same settings (the ceiling), and nginx (a static copy of
   the event feed, and a reverse proxy in front of Roadshow);
3. runs wrk against each URL, each ceiling just before what is compared with it, then the mixed-role
   scenario (benchmarks/load/mixed.py) against Roadshow;
4. prints requests/s, p50/p99 latency and errors, each figure's ratio to its ceiling, and the targets.

Add a scenario: append a ``WrkScenario`` in ``wrk_scenarios()`` (URL, expected status, headers,
ceiling and target ratio).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import mixed  # noqa: E402 - benchmarks/load is on the path first

PYTHON = sys.executable
HOST = "127.0.0.1"
MAX_DURATION = 10.0
DISTURBED = 0.10  # other processes using more than this share of the CPUs make a figure unreliable


@dataclass
class Figures:
    """What one scenario measured."""

    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    ceiling: str | None = None
    target: float | None = None
    ratio: float | None = None
    note: str = ""


@dataclass
class WrkScenario:
    """A URL hammered by wrk: *expect* is the status every answer must have."""

    name: str
    url: str
    expect: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    ceiling: str | None = None  # the name of the scenario this one is compared with
    target: float | None = None  # the least acceptable ratio to the ceiling
    connections: int | None = None  # instead of --connections (for very slow pages)


# --- Processes ------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on loopback that nothing listens on."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    """Wait until *url* answers at all (any status); fail with the log when *process* died."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited; its log:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds} s; log:\n{log.read_text()[-3000:]}")


@contextmanager
def server(command: list[str], environ: dict[str, str], log: Path, probe_url: str) -> Iterator[None]:
    """Run *command* until the block ends (SIGTERM to the process we started, then SIGKILL)."""
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        wait_until_up(probe_url, process, log)
        yield
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def gunicorn(app: str, port: int, environ: dict[str, str], *extra: str) -> list[str]:
    """The command starting *app* with Roadshow's gunicorn.conf.py on *port*."""
    environ["GUNICORN_BIND"] = f"{HOST}:{port}"
    return [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), *extra, app]


NGINX_CONF = """\
worker_processes auto;
daemon off;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {run}/nginx-access.log;
    client_body_temp_path {run}/tmp-body;
    proxy_temp_path {run}/tmp-proxy;
    fastcgi_temp_path {run}/tmp-fastcgi;
    uwsgi_temp_path {run}/tmp-uwsgi;
    scgi_temp_path {run}/tmp-scgi;
    types {{ text/calendar ics; }}
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    # The static ceiling: a copy of the event feed.
    server {{
        listen {host}:{static_port};
        root {run}/static;
        etag on;
    }}
    # The documented deployment: nginx in front of gunicorn's sync workers.
    server {{
        listen {host}:{proxy_port};
        location / {{
            proxy_pass http://{host}:{app_port};
            proxy_set_header Host {host}:{app_port};
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            # A 2,000-session feed is 1.5 MB: buffer it in memory, not in a temporary file.
            proxy_buffers 32 64k;
            proxy_busy_buffers_size 128k;
        }}
    }}
}}
"""


# --- A quiet machine ------------------------------------------------------------------------------


def _cpu_times() -> tuple[int, int]:
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_busy(seconds: float = 0.5) -> float:
    """The share of all CPUs busy over *seconds* (0 to 1), from /proc/stat."""
    busy_before, total_before = _cpu_times()
    time.sleep(seconds)
    busy_after, total_after = _cpu_times()
    return (busy_after - busy_before) / max(1, total_after - total_before)


# Redis serves only us here; PostgreSQL's backends are ours when connected to our database, others'
# otherwise (other test suites on the same server); its background processes are nobody's.
def _process_ticks() -> dict[int, tuple[int, int, str]]:
    """Every process: pid → (parent pid, CPU ticks used so far, command line)."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:  # gone meanwhile
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        processes[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]), command or name)
    return processes


def postgres_backend_database(command: str) -> str | None:
    """The database a PostgreSQL backend process serves, from its title; None for other processes.

    Titles read ``postgres: user database host(port) state``, on Debian with the cluster first
    (``postgres: 15/main: user database 127.0.0.1(5432) idle``); background processes
    (``postgres: 15/main: checkpointer``) serve nobody.
    """
    parts = command.split()
    if not parts or parts[0] != "postgres:":
        return None
    if len(parts) > 1 and parts[1].endswith(":"):  # the cluster name
        parts = parts[:1] + parts[2:]
    if len(parts) >= 4 and (parts[3].endswith(")") or parts[3] == "[local]"):
        return parts[2]
    return None


class CpuWatch:
    """How much of the machine other processes used while a scenario ran (0 to 1 of all CPUs).

    Processes that started meanwhile count in full; processes that ended meanwhile are not seen.
    """

    def __init__(self, database: str) -> None:
        """Count PostgreSQL backends connected to *database* as ours."""
        self.database = database

    def __enter__(self) -> CpuWatch:
        """Take the first snapshot."""
        self.before = _process_ticks()
        self.total_before = _cpu_times()[1]
        self.foreign = 0.0
        return self

    def _foreign_process(self, command: str) -> bool:
        if "redis-server" in command:
            return False
        if command.startswith("postgres"):
            return postgres_backend_database(command) not in (None, self.database)
        return True

    def __exit__(self, *exc_info: object) -> None:
        """Take the second snapshot and compute the share of foreign processes."""
        after = _process_ticks()
        total = _cpu_times()[1] - self.total_before
        ours = {os.getpid()}
        for _ in range(8):  # children, grandchildren … of this script
            ours |= {pid for pid, (parent, _, _) in after.items() if parent in ours}
        foreign = 0
        for pid, (_, ticks, command) in after.items():
            if pid in ours or not self._foreign_process(command):
                continue
            foreign += ticks - (self.before[pid][1] if pid in self.before else 0)
        self.foreign = foreign / max(1, total)


def settle(limit: float = 0.15, patience: float = 30.0) -> float:
    """Wait until the machine is quiet (our servers done with the last scenario's queue, nobody else
    busy): at most *patience* seconds. Returns the last busy share measured."""
    deadline = time.monotonic() + patience
    busy = cpu_busy()
    while busy > limit and time.monotonic() < deadline:
        busy = cpu_busy()
    return busy


# --- wrk ------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"unexpected latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> tuple[float, float, float, int, int]:
    """Requests/s, p50 and p99 (ms), errors (socket errors + non-2xx/3xx) and requests from wrk."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return rps, p50, p99, errors, requests


def check_once(scenario: WrkScenario) -> str:
    """Fetch *scenario*'s URL once and check the status; return a short description of the answer."""
    request = urllib.request.Request(scenario.url, headers=scenario.headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    if status != scenario.expect:
        raise SystemExit(f"{scenario.name}: {scenario.url} answered {status}, expected {scenario.expect}")
    return f"{len(body):,} B" if body else "no body"


def run_wrk(scenario: WrkScenario, args: argparse.Namespace) -> Figures:
    """Run wrk on *scenario*, again (twice at most) when other processes disturbed it; keep the least
    disturbed run. A 304 scenario counts only 304s as right."""
    size = check_once(scenario)
    attempts = []
    for _ in range(3):
        figures, foreign = _run_wrk_once(scenario, args, size)
        attempts.append((foreign, figures))
        if foreign <= DISTURBED:
            break
        print(
            f"  ({scenario.name}: disturbed, others used {foreign:.0%} of the CPUs; again)", file=sys.stderr
        )
    return min(attempts, key=lambda attempt: attempt[0])[1]


def _run_wrk_once(scenario: WrkScenario, args: argparse.Namespace, note: str) -> tuple[Figures, float]:
    busy = settle()
    if busy > 0.15:
        note += f", machine {busy:.0%} busy before the run (figures unreliable)"
    connections = scenario.connections or args.connections
    command = ["wrk", f"-t{args.threads}", f"-c{connections}", f"-d{args.duration:g}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in scenario.headers.items():
        command += ["-H", f"{name}: {value}"]
    with CpuWatch(args.database_name) as watch:
        output = subprocess.run([*command, scenario.url], capture_output=True, text=True, check=True).stdout
    if watch.foreign > DISTURBED:
        note += f", other processes used {watch.foreign:.0%} of the CPUs meanwhile (figures unreliable)"
    rps, p50, p99, errors, requests = parse_wrk(output)
    figures = Figures(
        scenario.name, rps, p50, p99, errors, requests, scenario.ceiling, scenario.target, note=note
    )
    return figures, watch.foreign


# --- The run --------------------------------------------------------------------------------------


def seed_database(environ: dict[str, str], run: Path) -> dict:
    """Run seed.py with the app's environment; return its JSON."""
    started = time.monotonic()
    result = subprocess.run(
        [PYTHON, str(Path(__file__).with_name("seed.py"))],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        check=False,
    )
    (run / "seed.log").write_bytes(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"seeding failed:\n{result.stderr.decode()[-3000:]}")
    print(f"seeded in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return json.loads(result.stdout)


def ensure_database(url: str) -> None:
    """Create *url*'s PostgreSQL database when it does not exist."""
    import psycopg
    import sqlalchemy as sa
    from psycopg import sql

    parsed = sa.make_url(url)
    maintenance = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(parsed.database)))


def redis_answers(url: str) -> bool:
    """True when Redis answers PING at *url*."""
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def etag_of(url: str) -> str:
    """The ETag *url* answers with."""
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - loopback only
        return response.headers["ETag"]


# Copies of Roadshow's answers, served byte for byte by the ceilings: name → (label, path to fetch).
def copies(seed: dict) -> dict[str, tuple[str, str]]:
    """What to copy from Roadshow for the ceilings (file name → label, path)."""
    big, small, token = seed["big_event"], seed["small_event"], seed["personal_token"]
    return {
        "page-24.html": ("event page (24 sessions)", f"/events/{small}"),
        "page-2000.html": ("event page (2,000 sessions)", f"/events/{big}"),
        "feed-2000.ics": ("event feed (2,000 sessions)", f"/events/{big}/calendar.ics"),
        "personal.ics": ("personal feed", f"/calendar/{token}.ics"),
    }


def wrk_scenarios(
    ports: dict[str, int], seed: dict, etags: dict[str, str], sizes: dict[str, int], nginx: bool
) -> list[WrkScenario]:
    """Every wrk scenario, each ceiling just before what is compared with it."""
    app = f"http://{HOST}:{ports['app']}"
    ceiling = f"http://{HOST}:{ports['ceiling']}"
    big, small, token = seed["big_event"], seed["small_event"], seed["personal_token"]

    def same_body(name: str) -> str:
        return f"ceiling: Flask, constant {sizes[name] / 1024:,.0f} kB body ({name})"

    bare = "ceiling: Flask, bare 304"

    def ceiling_of(name: str) -> WrkScenario:
        return WrkScenario(same_body(name), f"{ceiling}/body/{name}")

    # Each ceiling runs right before what is compared with it, so both see the same machine.
    scenarios = [
        ceiling_of("page-24.html"),
        WrkScenario(
            "event page (24 sessions)", f"{app}/events/{small}", ceiling=same_body("page-24.html"), target=0.5
        ),
        ceiling_of("page-2000.html"),
        WrkScenario(
            "event page (2,000 sessions)",
            f"{app}/events/{big}",
            ceiling=same_body("page-2000.html"),
            target=0.5,
            connections=8,
        ),
        ceiling_of("feed-2000.ics"),
        WrkScenario(
            "event feed, 2,000 sessions, full",
            f"{app}/events/{big}/calendar.ics",
            ceiling=same_body("feed-2000.ics"),
            target=0.5,
        ),
    ]
    if nginx:
        scenarios += [
            WrkScenario(
                "ceiling: nginx, static copy of the event feed",
                f"http://{HOST}:{ports['static']}/feed-2000.ics",
            ),
            WrkScenario(
                "event feed, full, via nginx → sync workers",
                f"http://{HOST}:{ports['proxy']}/events/{big}/calendar.ics",
                ceiling=same_body("feed-2000.ics"),
            ),
        ]
    scenarios += [
        WrkScenario(bare, f"{ceiling}/not-modified", expect=304),
        WrkScenario(
            "event feed, 2,000 sessions, 304",
            f"{app}/events/{big}/calendar.ics",
            expect=304,
            headers={"If-None-Match": etags["event"]},
            ceiling=bare,
            target=0.5,
        ),
        WrkScenario(
            "personal feed, 304",
            f"{app}/calendar/{token}.ics",
            expect=304,
            headers={"If-None-Match": etags["personal"]},
            ceiling=bare,
            target=0.3,
        ),
        ceiling_of("personal.ics"),
        WrkScenario(
            "personal feed, full",
            f"{app}/calendar/{token}.ics",
            ceiling=same_body("personal.ics"),
            target=0.3,
        ),
    ]
    return scenarios


def mixed_figures(ports: dict[str, int], seed: dict, args: argparse.Namespace) -> list[Figures]:
    """Run the mixed-role scenario; its rows: every step, without the form log-ins, and per step."""
    scenario = mixed.Scenario(
        HOST,
        ports["app"],
        seed,
        users=args.users,
        fresh_logins=args.fresh_logins,
        duration=args.mixed_duration,
        think=args.think,
    )
    note = ""
    busy = settle()
    if busy > 0.15:
        note = f"machine {busy:.0%} busy before the run (figures unreliable)"
    with CpuWatch(args.database_name) as watch:
        results = asyncio.run(scenario.run())
    if watch.foreign > DISTURBED:
        note += f", other processes used {watch.foreign:.0%} of the CPUs meanwhile (figures unreliable)"
    summary = mixed.summarise(results, args.mixed_duration)
    rows = []
    for label, figures in [("all steps", summary["all"]), ("without log-ins", summary["without log-in"])]:
        rows.append(
            Figures(
                f"mixed, {args.users} users: {label}",
                figures["rps"],
                figures["p50"],
                figures["p99"],
                figures["errors"],
                figures["requests"],
                note=note,
            )
        )
    for step, figures in summary["steps"].items():
        rows.append(
            Figures(
                f"  mixed step: {step}",
                figures["rps"],
                figures["p50"],
                figures["p99"],
                figures["errors"],
                figures["requests"],
            )
        )
    return rows


def print_table(rows: list[Figures], mixed_p99_target: float) -> bool:
    """Print the figures; return True when every target is met and nothing failed."""
    by_name = {row.name: row for row in rows}
    width = max(len(row.name) for row in rows) + 2
    print(f"{'scenario':<{width}}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  vs ceiling   target")
    all_good = True
    for row in rows:
        verdict = ""
        if row.ceiling and row.ceiling in by_name and by_name[row.ceiling].rps:
            row.ratio = row.rps / by_name[row.ceiling].rps
            verdict = f"{row.ratio:9.2f}×"
            if row.target is not None:
                met = row.ratio >= row.target
                all_good &= met
                verdict += f"   ≥ {row.target}× {'ok' if met else 'MISSED'}"
        if row.name.startswith("mixed") and row.name.endswith("all steps"):
            met = row.p99_ms < mixed_p99_target
            all_good &= met
            verdict = f"{'':10}   p99 < {mixed_p99_target:.0f} ms {'ok' if met else 'MISSED'}"
        if row.errors:
            all_good = False
        print(
            f"{row.name:<{width}}{row.rps:9.0f}{row.p50_ms:9.1f}{row.p99_ms:9.1f}{row.errors:8d}  {verdict}"
        )
        if "unreliable" in row.note:
            print(f"{'':<{width}}  ↑ {row.note.split(', ', 1)[-1]}")
    return all_good


def main() -> int:
    """Run every scenario and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1/roadshow_load")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per wrk scenario (at most 10)")
    parser.add_argument("--mixed-duration", type=float, default=10.0, help="seconds of the mixed scenario")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--workers", type=int, default=None, help="WEB_CONCURRENCY (default: gunicorn.conf.py)"
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--fresh-logins", type=int, default=20, help="users who log in through the form")
    parser.add_argument(
        "--think",
        type=lambda text: tuple(float(part) for part in text.split("-", 1)),
        default=(1.0, 5.0),
        help="think time of the mixed scenario's users, in seconds: MIN-MAX (default 1-5)",
    )
    parser.add_argument(
        "--no-gthread",
        action="store_true",
        help="skip the comparison row of gthread workers facing wrk directly",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    args.database_name = args.database_url.rsplit("/", 1)[-1].split("?")[0]
    args.duration = min(args.duration, MAX_DURATION)
    args.mixed_duration = min(args.mixed_duration, MAX_DURATION)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk nginx")
    nginx = shutil.which("nginx") or (Path("/usr/sbin/nginx").exists() and "/usr/sbin/nginx")
    if not nginx:
        print(
            "nginx is missing (apt-get install -y nginx): no static ceiling, no proxied row", file=sys.stderr
        )

    ensure_database(args.database_url)
    redis_url = args.redis_url if redis_answers(args.redis_url) else None
    run = Path(tempfile.mkdtemp(prefix="roadshow-load-"))
    run.chmod(0o755)  # nginx's workers (nobody) read the static copy
    environ = {
        **os.environ,
        "ROADSHOW_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": args.database_url,
        "ROADSHOW_INSTANCE_PATH": str(run / "instance"),
        "PREFERRED_URL_SCHEME": "https",
        "LOG_LEVEL": "warning",
    }
    environ.pop("REDIS_URL", None)
    if redis_url:
        environ["REDIS_URL"] = redis_url
        import redis

        redis.Redis.from_url(redis_url).flushdb()  # the load test's own Redis database
    if args.workers:
        environ["WEB_CONCURRENCY"] = str(args.workers)
    ports = {name: free_port() for name in ("app", "ceiling", "static", "proxy", "gthread")}
    environ["SERVER_NAME"] = f"{HOST}:{ports['app']}"
    seed = seed_database(environ, run)

    app_env, ceiling_env = dict(environ), dict(environ)
    rows: list[Figures] = []
    app_command = gunicorn("wsgi:app", ports["app"], app_env)
    app_url = f"http://{HOST}:{ports['app']}"
    static = run / "static"
    static.mkdir()
    static.chmod(0o755)  # nginx's workers (nobody) read the static copy
    with server(app_command, app_env, run / "gunicorn-app.log", f"{app_url}/healthz"):
        for name, (_, path) in copies(seed).items():
            with urllib.request.urlopen(app_url + path, timeout=120) as response:  # noqa: S310 - loopback
                (static / name).write_bytes(response.read())
            (static / name).chmod(0o644)
        sizes = {path.name: path.stat().st_size for path in static.iterdir()}
        etags = {
            "event": etag_of(f"{app_url}/events/{seed['big_event']}/calendar.ics"),
            "personal": etag_of(f"{app_url}/calendar/{seed['personal_token']}.ics"),
        }
        ceiling_env["CEILING_BODIES"] = str(static)
        ceiling_command = gunicorn("benchmarks.load.ceiling_app:app", ports["ceiling"], ceiling_env)
        ceiling_probe = f"http://{HOST}:{ports['ceiling']}/not-modified"
        with (
            server(ceiling_command, ceiling_env, run / "gunicorn-ceiling.log", ceiling_probe),
            nginx_server(nginx, run, ports),
        ):
            for scenario in wrk_scenarios(ports, seed, etags, sizes, bool(nginx)):
                figures = run_wrk(scenario, args)
                rows.append(figures)
                print(f"  {figures.name}: {figures.rps:.0f} req/s", file=sys.stderr)
        rows += mixed_figures(ports, seed, args)
    if not args.no_gthread:
        rows.append(gthread_row(environ, ports, seed, args, run))
    workers = environ.get("WEB_CONCURRENCY") or "CPUs + 1"
    print(
        f"\nRoadshow load figures — gunicorn sync workers: {workers} ({os.cpu_count()} CPUs), PostgreSQL, "
        f"Redis: {'yes' if redis_url else 'no'}; wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration:g}s; mixed: {args.users} users ({args.fresh_logins} log in through the form), "
        f"think time {args.think[0]:g}–{args.think[1]:g} s, {args.mixed_duration:g}s.\n"
    )
    good = print_table(rows, 500.0)
    print(f"\nLogs: {run}")
    if args.json:
        args.json.write_text(json.dumps([row.__dict__ for row in rows], indent=2))
    return 0 if good else 1


@contextmanager
def nginx_server(nginx: str | bool, run: Path, ports: dict[str, int]) -> Iterator[None]:
    """Run nginx (static copy + reverse proxy) for the block, when it is installed."""
    if not nginx:
        yield
        return
    conf = run / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            run=run, host=HOST, static_port=ports["static"], proxy_port=ports["proxy"], app_port=ports["app"]
        )
    )
    command = [str(nginx), "-c", str(conf), "-p", str(run)]
    with server(
        command, dict(os.environ), run / "nginx.log", f"http://{HOST}:{ports['static']}/feed-2000.ics"
    ):
        yield


def gthread_row(environ: dict[str, str], ports: dict[str, int], seed: dict, args, run: Path) -> Figures:
    """The event feed from gthread workers (4 threads) facing keep-alive clients directly."""
    gthread_env = dict(environ)
    command = gunicorn(
        "wsgi:app",
        ports["gthread"],
        gthread_env,
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--keep-alive",
        "5",
    )
    url = f"http://{HOST}:{ports['gthread']}"
    with server(command, gthread_env, run / "gunicorn-gthread.log", f"{url}/healthz"):
        scenario = WrkScenario(
            "event feed, full, gthread ×4 threads, keep-alive",
            f"{url}/events/{seed['big_event']}/calendar.ics",
        )
        return run_wrk(scenario, args)


if __name__ == "__main__":
    sys.exit(main())
