"""Load the messages inbox with signed-in guardians and compare it with a trivial view.

    .venv/bin/python bench/inbox.py                   # 50,000 students (see bench/family_home.py)
    .venv/bin/python bench/inbox.py --students 3000   # a quick run

PostgreSQL only, on the same generated district as ``bench/family_home.py`` (its database,
``DATABASE_URL``, default ``.../village_bench_family``, reused when it is there). Then:

1. each of ``--guardians`` guardians gets ``--conversations`` conversations with a teacher of
   one of their children (``--messages`` messages each, alternating, some not read), written
   set-based straight into the tables, and a session written through the session engine;
2. gunicorn serves Village (production settings, ``--workers`` sync workers);
3. wrk loads ``/messages/`` with ``--connections`` clients for ``--duration`` seconds, cycling
   through the guardians' cookies, then ``/bench/trivial/<id>/``, each after a warm-up; then
   ``/messages/`` again on a server that keeps no rendered list (every list afresh, as after a
   new message or a reading);
4. the SQL queries of one inbox page are counted for a guardian with a few conversations and
   for one with many, the list rendered afresh and kept: they must be the same.

Prints requests per second, p50/p95/p99 of both, the inbox's share of the trivial view's
throughput (target >= 20 %, p95 <= 50 ms), and the two query counts. Exits non-zero when a
response is not a 200 or the query counts differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.family_home import (  # noqa: E402 (the repository must be importable first)
    DEFAULT_DATABASE,
    Guardian,
    Load,
    _create_database,
    _district,
    _environment,
    _load,
    _server,
    _sessions,
    _which,
)

TARGET_SHARE, TARGET_P95_MS = 20.0, 50.0
MARKER = "conversation-list"


def main() -> int:
    options = _arguments()
    database = os.environ.get("DATABASE_URL", DEFAULT_DATABASE)
    if not database.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/inbox.py runs on PostgreSQL: set DATABASE_URL=postgres://...")
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
    written = _conversations(guardians, options)
    few, many = _queries(guardians[0]), _queries(guardians[-1], extra=options.conversations * 3)
    with tempfile.TemporaryDirectory(prefix="village-bench-") as tmp:
        cookies = Path(tmp) / "sessions.txt"
        cookies.write_text("".join(f"{g.session}\n" for g in guardians))
        with _server(options, env, Path(tmp)) as base:
            inbox = _load("inbox '/messages/'", base + "/messages/", cookies, options)
            trivial_path = f"/bench/trivial/{guardians[0].pk}/"
            trivial = _load(f"trivial view '{trivial_path}'", base + trivial_path, cookies, options)
        with _server(options, {**env, "VILLAGE_BENCH_NOTHING_KEPT": "1"}, Path(tmp)) as base:
            fresh = _load("inbox, every list afresh", base + "/messages/", cookies, options)
    _report(options, district, written, few, many, [inbox, fresh, trivial])
    failed = sum(load["not_200"] + load["socket_errors"] for load in (inbox, fresh, trivial))
    return 1 if failed or few != many else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--classwork-classes", type=int, default=0)
    parser.add_argument("--guardians", type=int, default=200)
    parser.add_argument("--conversations", type=int, default=30, help="Per guardian.")
    parser.add_argument("--messages", type=int, default=6, help="Per conversation.")
    parser.add_argument("--duration", type=int, default=30, help="Seconds of load per page.")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
    return parser.parse_args()


def _conversations(guardians: list[Guardian], options: argparse.Namespace) -> str:
    """Each guardian's conversations with a teacher of their first child, written set-based
    (``village.core.bulk``); earlier runs' are removed first."""
    from django.db import transaction
    from django.utils import timezone

    from village.community.models import Enrollment, EnrollmentRole, GuardianLink, OrgRole, Role
    from village.core import bulk
    from village.messaging.models import Conversation, Message, Participant

    ids = [guardian.pk for guardian in guardians]
    now = timezone.now()
    with transaction.atomic():
        Conversation.objects.filter(participants__user_id__in=ids).delete()
        child = dict(
            GuardianLink.objects.filter(guardian_id__in=ids)
            .order_by("guardian_id", "student_id")
            .values_list("guardian_id", "student_id")
        )
        classes = dict(
            Enrollment.objects.filter(user_id__in=child.values(), role=EnrollmentRole.STUDENT)
            .order_by("user_id", "school_class_id")
            .values_list("user_id", "school_class_id")
        )
        teacher = dict(
            Enrollment.objects.filter(
                school_class_id__in=classes.values(), role=EnrollmentRole.TEACHER
            ).values_list("school_class_id", "user_id")
        )
        school = dict(
            OrgRole.objects.filter(user_id__in=child.values(), role=Role.STUDENT).values_list(
                "user_id", "organisation_id"
            )
        )
        plans = []
        for guardian in ids:
            student = child[guardian]
            staff = teacher[classes[student]]
            for number in range(options.conversations):
                started = now - dt.timedelta(hours=number * 5 + 1)
                plans.append((guardian, student, staff, number, started))
        conversations = bulk.insert_objects(
            [
                Conversation(
                    school_id=school[student],
                    kind="family",
                    subject=f"About the week {number}",
                    language="en",
                    student_id=student,
                    started_by_id=staff,
                    created_at=started,
                    last_message_at=started + dt.timedelta(minutes=options.messages),
                )
                for _guardian, student, staff, number, started in plans
            ]
        )
        places = []
        messages = []
        for conversation, (guardian, _student, staff, number, started) in zip(
            conversations, plans, strict=True
        ):
            read = started + dt.timedelta(minutes=options.messages - 2 if number % 3 else 0)
            places += [
                (conversation.pk, guardian, "guardian", started, read),
                (conversation.pk, staff, "staff", started, started + dt.timedelta(days=1)),
            ]
            messages += [
                (
                    conversation.pk,
                    staff if index % 2 == 0 else guardian,
                    f"Message {index} about the week: how the reading goes at home and at school.",
                    "en",
                    started + dt.timedelta(minutes=index),
                )
                for index in range(options.messages)
            ]
        bulk.insert_rows(
            Participant, ("conversation_id", "user_id", "role", "added_at", "last_read_at"), places
        )
        bulk.insert_rows(
            Message, ("conversation_id", "author_id", "body", "language", "created_at"), messages
        )
    bulk.analyze([Conversation, Participant, Message])
    return (
        f"{len(conversations):,} conversations, {len(messages):,} messages "
        f"({options.conversations} per guardian, {options.messages} messages each)"
    )


def _queries(guardian: Guardian, *, extra: int = 0) -> tuple[int, int]:
    """SQL queries of one inbox page, its list rendered afresh and then kept; with ``extra``,
    after giving the guardian that many more conversations (rolled back)."""
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from village.messaging.models import Conversation, Participant

    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.cookies[settings.SESSION_COOKIE_NAME] = guardian.session
    with transaction.atomic():
        if extra:
            template = Participant.objects.filter(user_id=guardian.pk).select_related(
                "conversation"
            )[0]
            for _number in range(extra):
                copy = Conversation.objects.get(pk=template.conversation_id)
                copy.pk = None
                copy.save()
                Participant.objects.create(
                    conversation=copy,
                    user_id=guardian.pk,
                    role="guardian",
                    added_at=template.added_at,
                )
        client.get("/messages/")  # warm the process's own caches
        caches["pages"].clear()
        counted = []
        for _look in ("afresh", "kept"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get("/messages/")
            assert response.status_code == 200
            assert MARKER in response.content.decode()
            counted.append(len(captured.captured_queries))
        transaction.set_rollback(True)
    return counted[0], counted[1]


def _report(
    options: argparse.Namespace,
    district: str,
    written: str,
    few: tuple[int, int],
    many: tuple[int, int],
    loads: list[Load],
) -> None:
    inbox, fresh, trivial = loads
    share = 100 * inbox["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    fresh_share = 100 * fresh["rps"] / trivial["rps"] if trivial["rps"] else 0.0
    print()
    print("Village messages inbox benchmark")
    print(f"  district        {options.students} students, seed {options.seed}: {district}")
    print(f"  conversations   {written}")
    print(f"  server          gunicorn, {options.workers} sync workers, bench.settings (DEBUG off)")
    print(
        f"  load            wrk, {options.threads} thread(s), {options.connections} connections, "
        f"{options.duration} s per page after {options.warmup} s warm-up"
    )
    print(
        f"  inbox queries   {few[0]} SQL queries per page with {options.conversations} "
        f"conversations, {many[0]} with {options.conversations * 4} (list rendered afresh); "
        f"{few[1]} and {many[1]} with the list kept"
    )
    print()
    print(f"  {'page':<36}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'non-200':>9}")
    for load in loads:
        print(
            f"  {load.label:<36}{load['rps']:>9.1f}{load['p50_ms']:>9.1f}"
            f"{load['p95_ms']:>9.1f}{load['p99_ms']:>9.1f}{int(load['not_200']):>9}"
        )
    print()
    print(f"  inbox / trivial throughput  {share:.1f}%   (target >= {TARGET_SHARE:.0f}%)")
    p95 = inbox["p95_ms"]
    print(f"  inbox p95                   {p95:.1f} ms   (target <= {TARGET_P95_MS:.0f} ms)")
    print(f"  every list afresh / trivial {fresh_share:.1f}%, p95 {fresh['p95_ms']:.1f} ms")


if __name__ == "__main__":
    sys.exit(main())
