"""Benchmark the CSV import of organisations: 10,000 partners through the real service, all-or-nothing.

    .venv/bin/python benchmarks/bench_import.py [--rows 10000] [--encoding utf-8|gb18030]
    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/rs_orgs .venv/bin/python benchmarks/bench_import.py

Generates a realistic partner list (European and Chinese organisations, half with Chinese names,
websites, one to three sectors by slug, English or Chinese sector names, descriptions) as UTF-8 and as
GB18030, then on a temporary SQLite database — and on PostgreSQL when TEST_DATABASE_URL is set (its
tables are dropped and created afresh: give it a scratch database) — measures:

- preview: parsing and checking the file and matching it against the database (writes nothing);
- import: the commit path (parse again, match, insert, commit) into an empty table;
- re-import: the same file again (every row matches: no duplicates, nothing written but the audit row);
- refusal: a 100,000-row file, refused before any row is checked.

Each figure is rows per second and the peak Python memory of that step (tracemalloc).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402 - the project root must be on the path first

from config import TestConfig, normalise_database_url  # noqa: E402
from roadshow import create_app  # noqa: E402
from roadshow.extensions import db  # noqa: E402
from roadshow.models import Base, Organisation, User  # noqa: E402
from roadshow.organisations import importer, services  # noqa: E402

EU_CITIES = [
    ("DE", "Berlin"), ("DE", "München"), ("FR", "Lyon"), ("IT", "Milano"), ("ES", "Barcelona"),
    ("NL", "Eindhoven"), ("BE", "Leuven"), ("PL", "Kraków"), ("FI", "Oulu"), ("AT", "Graz"),
    ("PT", "Porto"), ("SE", "Lund"), ("CZ", "Brno"), ("IE", "Cork"), ("DK", "Aarhus"),
]  # fmt: skip
CN_CITIES = ["青岛", "深圳", "苏州", "杭州", "成都", "武汉", "西安", "合肥"]
SECTOR_SPELLINGS = [
    "biomedicine", "medical-devices", "big-data", "robotics", "precision-instruments",
    "intelligent-manufacturing", "fintech", "modern-services", "Robotics", "生物医药", "智能制造",
]  # fmt: skip
LEGAL = ["GmbH", "SAS", "S.r.l.", "B.V.", "Oy", "Sp. z o.o.", "AB", "Lda", "NV", "ApS"]


def partner_list(rows: int, seed: int = 2026) -> str:
    """A CSV partner list of *rows* distinct organisations (header included)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["name", "name_zh", "country", "city", "website", "sectors", "description", "description_zh"]
    )
    for index in range(rows):
        sectors = ";".join(dict.fromkeys(rng.sample(SECTOR_SPELLINGS, rng.randint(1, 3))))
        if rng.random() < 0.35:
            city = rng.choice(CN_CITIES)
            name = f"Qingdao Partner {index} Technology Co., Ltd."
            name_zh = f"{city}合作伙伴{index}科技有限公司"
            country, description_zh = "CN", "面向欧洲市场的高新技术企业。"
        else:
            country, city = rng.choice(EU_CITIES)
            kind = rng.choice(["Medical", "Robotics", "Data", "Instruments"])
            name = f"Partner {index} {kind} {rng.choice(LEGAL)}"
            name_zh = f"欧洲伙伴{index}" if rng.random() < 0.5 else ""
            description_zh = ""
        website = f"https://www.partner-{index}.example" if rng.random() < 0.8 else ""
        description = f"Technology partner number {index}, looking for partners in Europe and China."
        writer.writerow([name, name_zh, country, city, website, sectors, description, description_zh])
    return out.getvalue()


def timed(step: Callable[[], Any]) -> tuple[Any, float]:
    """Run *step*; return its result and the seconds it took (no tracing: tracemalloc slows Python)."""
    started = time.perf_counter()
    result = step()
    return result, time.perf_counter() - started


def traced(step: Callable[[], Any]) -> tuple[Any, int]:
    """Run *step* under tracemalloc; return its result and the peak of traced memory in bytes."""
    tracemalloc.start()
    try:
        result = step()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def run(database_url: str, label: str, data: bytes, rows: int, too_many: bytes) -> None:
    """Benchmark one database: each step once for time, then again (on a fresh schema) for memory."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_FOLDER=folder)

        def fresh_schema() -> int:
            with app.app_context():
                db.session.remove()
                Base.metadata.drop_all(db.engine)
                Base.metadata.create_all(db.engine)
                actor = User(email="bench@example.org", name="Bench", password_hash="!", is_admin=True)  # noqa: S106 - no login
                db.session.add(actor)
                db.session.commit()
                return actor.id

        actor_id = fresh_schema()

        def preview() -> services.ImportPlan:
            with app.test_request_context():
                return services.plan_import(data)

        def commit() -> services.ImportResult:
            with app.test_request_context():
                result = services.commit_import(db.session.get(User, actor_id), data)
                db.session.commit()
                return result

        def refuse() -> str:
            with app.test_request_context():
                try:
                    services.plan_import(too_many)
                except importer.ImportRefusedError as error:
                    return str(error)
            raise AssertionError("a 100,000-row file was not refused")

        steps = [("preview", preview, rows), ("import", commit, rows), ("re-import", commit, rows)]
        steps.append(("100k refuse", refuse, 100_000))
        results, seconds, peaks = {}, {}, {}
        for name, step, _count in steps:
            results[name], seconds[name] = timed(step)
        with app.app_context():
            count = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
            assert count == rows, count
        actor_id = fresh_schema()
        for name, step, _count in steps:
            _result, peaks[name] = traced(step)

        print(f"\n{label}: {rows:,} organisations, {len(data) / 1024 / 1024:.2f} MB")
        print(f"{'step':<12} {'seconds':>8} {'rows/s':>10} {'peak MiB':>9}  result")
        for name, _step, count in steps:
            result = results[name]
            if isinstance(result, services.ImportPlan):
                assert result.ok, result.error_lines[:10]
                result = f"{result.count('create'):,} new, no row with a problem"
            print(
                f"{name:<12} {seconds[name]:>8.2f} {count / seconds[name]:>10,.0f} "
                f"{peaks[name] / 1024 / 1024:>9.1f}  {str(result)[:70]}"
            )
        with app.app_context():
            db.session.remove()
            Base.metadata.drop_all(db.engine)
            db.engine.dispose()


def main() -> None:
    """Generate the files and run the benchmark on SQLite, and PostgreSQL when configured."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=importer.MAX_IMPORT_ROWS)
    parser.add_argument("--encoding", choices=["utf-8", "gb18030"], default="utf-8")
    arguments = parser.parse_args()
    text = partner_list(arguments.rows)
    data = text.encode(arguments.encoding)
    too_many = ("name,country\n" + "".join(f"C{i},DE\n" for i in range(100_000))).encode()
    with tempfile.TemporaryDirectory() as folder:
        run(
            f"sqlite:///{folder}/bench.sqlite3",
            f"SQLite ({arguments.encoding})",
            data,
            arguments.rows,
            too_many,
        )
    postgres = os.environ.get("TEST_DATABASE_URL")
    if postgres:
        run(
            normalise_database_url(postgres),
            f"PostgreSQL ({arguments.encoding})",
            data,
            arguments.rows,
            too_many,
        )
    else:
        print("\n(PostgreSQL skipped: set TEST_DATABASE_URL to a scratch database to include it.)")


if __name__ == "__main__":
    main()
