"""Load the family home page with signed-in guardians and compare it with a trivial view.

    .venv/bin/python bench/family_home.py                  # 50,000 students (see below)
    .venv/bin/python bench/family_home.py --students 3000  # a quick run

PostgreSQL only: ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/village_bench_family``;
the database is created if missing, then migrated). The first run generates the district with
its classwork (``village generate``; at 50,000 students that takes a while); later runs with the
same size and seed reuse it. Then:

1. sessions for ``--guardians`` guardians with two or three children are written straight
   through the session engine (no password hashing);
2. gunicorn serves Village with ``bench.settings`` (production settings, DEBUG off) and
   ``--workers`` sync workers;
3. every guardian's children's work summaries are dropped, so that each guardian's first home
   page rebuilds them, as the first visit after a change to a child's classwork does; those
   first pages are timed and checked: 200, the family overview, every child's name;
4. wrk (Debian package ``wrk``) loads the family home ``/`` with ``--connections`` concurrent
   clients for ``--duration`` seconds, cycling through the guardians' cookies, then the same
   load against ``/bench/trivial/<id>/`` (one primary-key lookup), each after a short warm-up.

Prints requests per second, p50/p95/p99 latency of both, and the home page's share of the trivial
view's throughput. Exits non-zero if a page fails its check or any response is not a 200.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Its own database: the 50,000-student district with its classwork takes long to build, and
# other benchmarks regenerate the district in theirs at other sizes.
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/village_bench_family"
BENCH_SECRET_KEY = "village-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
LUA = Path(__file__).with_name("family_home.lua")
MARKER = "family-overview"  # the family overview panel on the guardian's home page
TARGET_SHARE, TARGET_P95_MS = 20.0, 50.0  # the targets


@dataclass
class Load:
    label: str
    figures: dict[str, float]

    def __getitem__(self, key: str) -> float:
        return self.figures[key]


def main() -> int:
    options = _arguments()
    database = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    if not database.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/family_home.py runs on PostgreSQL: set DATABASE_URL=postgres://...")
    if not _which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk")
    _create_database(database)
    env = _environment(database)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    district = _district(options)
    guardians = _sessions(options.guardians)
    with tempfile.TemporaryDirectory(prefix="village-bench-") as tmp:
        cookies = Path(tmp) / "sessions.txt"
        cookies.write_text("".join(f"{g.session}\n" for g in guardians))
        with _server(options, env, Path(tmp)) as base:
            _forget_summaries(guardians)
            checked = _check_pages(base, guardians, options.expect)
            trivial_path = f"/bench/trivial/{guardians[0].pk}/"
            home = _load("family home '/'", base + "/", cookies, options)
            trivial = _load(f"trivial view '{trivial_path}'", base + trivial_path, cookies, options)
    queries = _queries_per_home_page(guardians[0])
    _report(options, database, district, checked, queries, home, trivial)
    failed = home["not_200"] + trivial["not_200"] + home["socket_errors"] + trivial["socket_errors"]
    return 1 if failed else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--classwork-classes",
        type=int,
        default=0,
        help="Passed to `village generate` (default 0: every class gets submissions).",
    )
    parser.add_argument("--guardians", type=int, default=200)
    parser.add_argument("--duration", type=int, default=30, help="Seconds of load per page.")
    parser.add_argument("--warmup", type=int, default=5, help="Seconds of load before each.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (2 cores here).")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    parser.add_argument(
        "--expect", default=MARKER, help="Text every checked home page must contain."
    )
    return parser.parse_args()


def _which(program: str) -> bool:
    return any(
        os.access(Path(folder) / program, os.X_OK)
        for folder in os.environ.get("PATH", "").split(os.pathsep)
    )


# --- the database and the district ---------------------------------------------------------


def _create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def _environment(database: str) -> dict[str, str]:
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    return {
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "VILLAGE_PRODUCTION": "1",
        "VILLAGE_SECRET_KEY": BENCH_SECRET_KEY,
        "VILLAGE_ALLOWED_HOSTS": "127.0.0.1",
        "VILLAGE_VAR_DIR": str(var),
        "VILLAGE_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def _district(options: argparse.Namespace) -> str:
    """Reuse the generated district if it is this size and seed; otherwise generate it."""
    from django.conf import settings
    from django.core.management import call_command

    from village.community.models import Organisation, OrgRole, Role
    from village.demo.classwork.generated import generated_classwork_exists
    from village.demo.community.synthetic import DISTRICT_SOURCED_ID

    marker_file = Path(settings.VAR_DIR) / "family_home_district.json"
    wanted = {
        "database": settings.DATABASES["default"]["NAME"],
        "students": options.students,
        "seed": options.seed,
        "classwork_classes": options.classwork_classes,
    }
    district = Organisation.objects.filter(sourced_id=DISTRICT_SOURCED_ID).first()
    if district is not None and marker_file.exists():
        marker = json.loads(marker_file.read_text())
        students = OrgRole.objects.filter(role=Role.STUDENT, organisation__parent=district).count()
        if (
            marker == {**wanted, "district": district.pk}
            and students == options.students
            and generated_classwork_exists()
        ):
            return f"reused (generated earlier, {students} students)"
    args = ["--reset", "--students", str(options.students), "--seed", str(options.seed)]
    args += ["--classwork-classes", str(options.classwork_classes)]
    print(f"generating the district: village generate {' '.join(args)}", flush=True)
    started = time.perf_counter()
    call_command("generate", *args)
    _analyse()
    seconds = time.perf_counter() - started
    district = Organisation.objects.get(sourced_id=DISTRICT_SOURCED_ID)
    marker_file.write_text(json.dumps({**wanted, "district": district.pk}))
    return f"generated in this run ({seconds:.0f} s including classwork)"


@dataclass(frozen=True)
class Guardian:
    pk: int
    session: str
    children: tuple[str, ...]  # first names


def _sessions(count: int) -> list[Guardian]:
    """Sign in guardians of two or three children by writing their sessions directly."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from village.accounts.models import User
    from village.community.models import GuardianLink
    from village.demo.classwork.generated import families_for_benchmark

    ids = families_for_benchmark(count)
    if len(ids) < count:
        sys.exit(f"only {len(ids)} guardians with two or three children; generate more students")
    children: dict[int, list[str]] = {}
    for guardian, name in GuardianLink.objects.filter(guardian_id__in=ids).values_list(
        "guardian_id", "student__first_name"
    ):
        children.setdefault(guardian, []).append(name)
    guardians = []
    for user in User.objects.filter(pk__in=ids).order_by("pk"):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        assert store.session_key is not None
        guardians.append(Guardian(user.pk, store.session_key, tuple(children[user.pk])))
    return guardians


# --- the server and the load ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(options: argparse.Namespace, env: dict[str, str], tmp: Path) -> Iterator[str]:
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = tmp / "gunicorn.log"
    command = [
        str(gunicorn),
        "village.wsgi:application",
        f"--workers={options.workers}",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        "--backlog=2048",
        "--log-level=warning",
        f"--error-logfile={log}",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        _wait_for(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
        errors = log.read_text() if log.exists() else ""
        if "Traceback" in errors:
            print(errors[-4000:], file=sys.stderr)


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start within 60 s")


def _get(url: str, session: str) -> tuple[int, str, str]:
    from django.conf import settings

    request = urllib.request.Request(  # noqa: S310 (http on the loopback only)
        url,
        headers={
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
            "X-Forwarded-Proto": "https",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, response.url, response.read().decode()


def _forget_summaries(guardians: list[Guardian]) -> None:
    """Drop the work summaries of these guardians' children (rebuilt on their next home page)."""
    from village.classwork.models import ChildWorkSummary
    from village.community.models import GuardianLink

    children = GuardianLink.objects.filter(guardian_id__in=[g.pk for g in guardians]).values(
        "student_id"
    )
    ChildWorkSummary.objects.filter(student_id__in=children).delete()


def _check_pages(base: str, guardians: list[Guardian], expect: str) -> str:
    """Each guardian's first home page: a 200 with the family overview and every child's name;
    how long these first pages took (each rebuilds its children's summaries)."""
    took: list[float] = []
    for guardian in guardians:
        started = time.perf_counter()
        status, final_url, body = _get(base + "/", guardian.session)
        took.append((time.perf_counter() - started) * 1000)
        problems = []
        if status != 200 or final_url.rstrip("/") != base:
            problems.append(f"answered {status} at {final_url}")
        if 'name="password"' in body:
            problems.append("a sign-in form")
        if expect not in body:
            problems.append(f"no {expect!r}")
        problems += [f"no {name!r}" for name in guardian.children if name not in body]
        if problems:
            sys.exit(f"home page of guardian {guardian.pk}: " + ", ".join(problems))
    took.sort()
    p50, p95 = took[len(took) // 2], took[min(len(took) - 1, int(len(took) * 0.95))]
    return (
        f"{len(guardians)} first home pages (summaries rebuilt): 200, {expect!r} and every "
        f"child's name; p50 {p50:.0f} ms, p95 {p95:.0f} ms, one at a time"
    )


def _wrk(url: str, cookies: Path, options: argparse.Namespace, seconds: int) -> dict[str, float]:
    from django.conf import settings

    command = ["wrk", f"-t{options.threads}", f"-c{options.connections}", f"-d{seconds}s"]
    command += ["--timeout=10s", "-s", str(LUA), url, "--", str(cookies)]
    command.append(settings.SESSION_COOKIE_NAME)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {
        key.removeprefix("bench."): float(value)
        for key, value in (
            line.split() for line in output.splitlines() if line.startswith("bench.")
        )
    }


def _load(label: str, url: str, cookies: Path, options: argparse.Namespace) -> Load:
    if options.warmup:
        _wrk(url, cookies, options, options.warmup)
    return Load(label, _wrk(url, cookies, options, options.duration))


def _queries_per_home_page(guardian: Guardian) -> int:
    """How many SQL queries one family home page runs (in this process, same settings)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.cookies[settings.SESSION_COOKIE_NAME] = guardian.session
    client.get("/")  # warm caches (content types, translations)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200
    return len(captured.captured_queries)


def _report(
    options: argparse.Namespace,
    database: str,
    district: str,
    checked: str,
    queries: int,
    home: Load,
    trivial: Load,
) -> None:
    share = 100 * home["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    print()
    print("Village family home benchmark")
    print(f"  database        PostgreSQL {urlsplit(database).path.lstrip('/')}")
    print(f"  district        {options.students} students, seed {options.seed}: {district}")
    print(f"  signed in       {options.guardians} guardians with 2-3 children (sessions)")
    print(f"  server          gunicorn, {options.workers} sync workers, bench.settings (DEBUG off)")
    print(
        f"  load            wrk, {options.threads} thread(s), {options.connections} connections, "
        f"{options.duration} s per page after {options.warmup} s warm-up"
    )
    print(f"  checked         {checked}")
    print(f"  home queries    {queries} SQL queries per family home page")
    print()
    print(f"  {'page':<36}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'non-200':>9}")
    for load in (home, trivial):
        print(
            f"  {load.label:<36}{load['rps']:>9.1f}{load['p50_ms']:>9.1f}"
            f"{load['p95_ms']:>9.1f}{load['p99_ms']:>9.1f}{int(load['not_200']):>9}"
        )
    print()
    print(f"  home / trivial throughput   {share:.1f}%   (target >= {TARGET_SHARE:.0f}%)")
    p95 = home["p95_ms"]
    print(f"  home p95                    {p95:.1f} ms   (target <= {TARGET_P95_MS:.0f} ms)")


def _analyse() -> None:
    """Vacuum and analyse the freshly generated tables: PostgreSQL's planner needs their
    statistics, and autovacuum may be off (or not have caught up) on a benchmark machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


if __name__ == "__main__":
    sys.exit(main())
