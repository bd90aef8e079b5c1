"""Time the weekly family digest and the missing-work sweep for a whole district (PostgreSQL).

    make bench-digest
    .venv/bin/python bench/digest.py --students 5000      # a quick run

On the generated district (``village generate``; 50,000 students and about 53,000 guardians by
default, reused when it is already there), in one run:

1. the **missing-work sweep**: the sweep looks at a whole school day of work falling due across
   the district and records an alert check for each student with work missing (seconds), then
   the alert engine looks at the first 2,000 of those students (students per second);
2. the **digest**: every guardian's weekly digest composed and queued (``village digests send
   --now --processes 2`` in processes of their own: families per second and the peak memory of
   the largest), then delivered by two
   ``village worker --burst`` processes to a local SMTP sink (aiosmtpd in a process of its
   own) and checked to have arrived once each; end to end is families per second over both
   (``--pipelined``: the workers send while the digests are composed, as in a deployment);
3. the **floor**, in the same run: one digest-sized message rendered from a fixed template and
   context and sent over one SMTP connection, as many times as there were emails, without a
   database.

Figures are printed one per line; compare ratios within one run (the machine is noisy).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.outbox import (  # noqa: E402 (the repository must be importable first)
    _create_database,
    _drain,
    _free_port,
    _line,
    _received,
    _run_sink,
    _wait_for_port,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/village_bench_digest"
BENCH_SECRET_KEY = "village-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
TARGET_FAMILIES_PER_SECOND = 450
TARGET_SWEEP_SECONDS = 10.0
CHECKED_STUDENTS = 2000


def main() -> None:
    options = _arguments()
    if options.sink is not None:
        _run_sink(options.sink)
        return
    # Production settings (DEBUG off), as a deployment runs the command and the worker.
    os.environ.update(
        {
            "DATABASE_URL": options.database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "VILLAGE_PRODUCTION": "1",
            "VILLAGE_SECRET_KEY": BENCH_SECRET_KEY,
            "VILLAGE_ALLOWED_HOSTS": "127.0.0.1",
            "VILLAGE_LOG_LEVEL": "WARNING",
            "VILLAGE_VAR_DIR": str(REPO / "var" / "bench"),
        }
    )
    (REPO / "var" / "bench").mkdir(parents=True, exist_ok=True)
    _create_database(options.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    _district(options)
    _empty_notifications()
    sweep_seconds = _sweep()
    port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, __file__, "--sink", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port)
        families_per_second = _digests(options, port, sink)
    finally:
        sink.terminate()
        sink.wait(timeout=30)
    _line(
        "targets",
        f"sweep {sweep_seconds:.1f} s (target {TARGET_SWEEP_SECONDS:.0f} s); digest "
        f"{families_per_second:,.0f} families/s (target {TARGET_FAMILIES_PER_SECOND})",
    )


def _district(options: argparse.Namespace) -> None:
    from django.core.management import call_command

    from village.community.models import Organisation, OrgRole, Role
    from village.demo.classwork.generated import generated_classwork_exists
    from village.demo.community.synthetic import DISTRICT_SOURCED_ID

    district = Organisation.objects.filter(sourced_id=DISTRICT_SOURCED_ID).first()
    students = (
        OrgRole.objects.filter(role=Role.STUDENT, organisation__parent=district).count()
        if district is not None
        else 0
    )
    if students == options.students and generated_classwork_exists():
        _line("district", f"reused: {students:,} students")
        return
    started = time.perf_counter()
    call_command("generate", "--reset", "--students", str(options.students), "--seed", "1")
    _analyse()
    _line("district", f"generated in {time.perf_counter() - started:.0f} s")


def _empty_notifications() -> None:
    from django.db import connection

    from village.notifications import models

    tables = [
        model._meta.db_table
        for model in (
            models.Delivery,
            models.Digest,
            models.Notification,
            models.AlertCheck,
            models.AlertState,
            models.SweepMark,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def _sweep() -> float:
    """Seconds of the missing-work sweep over the last school day work fell due."""
    from django.db.models import Max
    from django.utils import timezone

    from village.classwork.alerts import missing_sweep
    from village.classwork.models import Assignment
    from village.notifications.models import AlertCheck, Delivery, SweepMark
    from village.notifications.services import alerts

    last = Assignment.objects.filter(due_at__lte=timezone.now()).aggregate(last=Max("due_at"))[
        "last"
    ]
    if last is None:
        _line("sweep", "no work has fallen due")
        return 0.0
    hold = alerts.hold()
    # The sweep last ran the day before: this run looks at the whole day's work.
    SweepMark.objects.create(name="classwork.missing", until=last - dt.timedelta(days=1))
    now = last + hold + dt.timedelta(minutes=1)
    fell_due = Assignment.objects.filter(due_at__gt=last - dt.timedelta(days=1), due_at__lte=last)
    started = time.perf_counter()
    students = missing_sweep(now)
    seconds = time.perf_counter() - started
    _line("sweep: work fallen due", f"{fell_due.count():,} assignments in a day")
    _line("sweep: missing work", f"{students:,} students, {seconds:.2f} s")
    checked = list(
        AlertCheck.objects.order_by("id").values_list("id", flat=True)[:CHECKED_STUDENTS]
    )
    AlertCheck.objects.exclude(id__in=checked).delete()
    started = time.perf_counter()
    written = alerts.run_checks(now=now)
    took = time.perf_counter() - started
    _line(
        "alert checks",
        f"{len(checked):,} students in {took:.2f} s ({len(checked) / took:,.0f} students/s), "
        f"{written:,} notifications",
    )
    _line("alert checks: peak memory", f"{_peak_mb():,.0f} MB (this process so far)")
    # The digest is measured on its own: the alerts' emails are not sent here.
    Delivery.objects.all().delete()
    return seconds


def _digests(options: argparse.Namespace, port: int, sink: subprocess.Popen[str]) -> float:
    from village.notifications.models import Delivery, DeliveryState, Digest

    # The workers only deliver: the district's own sweeps (tomorrow's work, say) are not the
    # digest's cost.
    os.environ["VILLAGE_WORKER_SWEEPS"] = "0"
    before = _received(sink)
    senders = _senders(port, options.workers) if options.pipelined else []
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", SEND_AND_MEASURE, str(options.processes)],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"village digests send failed:\n{done.stderr}")
    compose = time.perf_counter() - started
    peak = int(done.stderr.strip().splitlines()[-1]) / 1024
    families = Digest.objects.count()
    emailed = Delivery.objects.filter(kind="weekly_digest").count()
    _line(
        "digest: composed and queued",
        f"{families:,} families in {compose:.1f} s ({families / compose:,.0f} families/s), "
        f"{emailed:,} emails",
    )
    _line(
        "digest: peak memory",
        f"{peak:,.0f} MB (village digests send, largest of {options.processes} processes)",
    )
    if options.pipelined:
        while Delivery.objects.filter(state=DeliveryState.QUEUED).exists():
            time.sleep(0.2)
        total = time.perf_counter() - started
        for sender in senders:
            sender.terminate()
            sender.wait(timeout=60)
        label = f"digest: {options.workers} workers alongside"
        _line(label, f"all {emailed:,} sent {total - compose:.1f} s after composing ended")
    else:
        wall, cpu = _drain(port, options.workers)
        _line(
            f"digest: delivered ({options.workers} workers)",
            f"{emailed:,} in {wall:.1f} s ({emailed / wall:,.0f}/s), worker CPU {cpu:.0f} s",
        )
        total = compose + wall
    received = _received(sink) - before
    sent = Delivery.objects.filter(kind="weekly_digest", state=DeliveryState.SENT).count()
    if received != emailed or sent != emailed:
        raise SystemExit(f"expected {emailed} digests once: {sent} sent, {received} got")
    rate = families / total
    _line("digest: end to end", f"{total:.1f} s, {rate:,.0f} families/s")
    floor = _floor(port, emailed)
    _line(
        "floor: render and send",
        f"{floor:.1f} s for {emailed:,} ({emailed / floor:,.0f}/s); "
        f"end to end takes {total / floor:.2f} times the floor",
    )
    return rate


def _senders(port: int, workers: int) -> list[subprocess.Popen[bytes]]:
    """Workers that send as the digests are queued (as in a deployment), until stopped."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "VILLAGE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "VILLAGE_EMAIL_HOST": "127.0.0.1",
        "VILLAGE_EMAIL_PORT": str(port),
        "VILLAGE_EMAIL_TLS": "0",
    }
    command = [
        *(sys.executable, "-m", "village", "worker", "--sleep", "0.2"),
        *("--purge-every", "0", "--retry-every", "1000000"),
    ]
    var = tempfile.mkdtemp(prefix="village-bench-digest-")
    return [
        subprocess.Popen(
            command,
            env={**environment, "VILLAGE_VAR_DIR": f"{var}/{worker}"},
            cwd=REPO,
            stdout=subprocess.DEVNULL,
        )
        for worker in range(workers)
    ]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: ``village digests send --now --processes N``, then the peak memory (kB) on stderr of the
#: largest of its processes: the high-water mark of its own memory since it started
#: (``VmHWM``; ``getrusage`` would count the memory of the benchmark it was forked from), or of
#: the composing processes it forked, whichever is larger.
SEND_AND_MEASURE = """
import resource, sys
from village.cli import main
sys.argv = ["village", "digests", "send", "--now", "--processes", sys.argv[1]]
try:
    main()
finally:
    with open("/proc/self/status") as status:
        peak = int([line.split()[1] for line in status if line.startswith("VmHWM:")][0])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(max(peak, children), file=sys.stderr)
"""

FLOOR_TEMPLATE = """<!DOCTYPE html><html lang="{{ lang }}"><body>
<h1>{{ title }}</h1>{% for child in children %}<h2>{{ child.name }}</h2><ul>
{% for item in child.items %}<li>{{ item }}</li>{% endfor %}</ul>{% endfor %}</body></html>"""


def _floor(port: int, count: int) -> float:
    """Seconds to render one fixed digest-sized message and send it over one SMTP connection,
    ``count`` times (no database)."""
    from django.core.mail import EmailMultiAlternatives
    from django.template import Context, Template

    from village.core.mail import village_headers

    template = Template(FLOOR_TEMPLATE)
    context = {
        "lang": "en",
        "title": "This week at school",
        "children": [
            {"name": name, "items": [f"Work item {n} with its teacher's words" for n in range(8)]}
            for name in ("Ada", "Leo")
        ],
    }
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as client:
        for _number in range(count):
            html = template.render(Context(context))
            message = EmailMultiAlternatives(
                subject="This week at school",
                body=html,
                from_email="Village <village@example.org>",
                to=["family@families.example.org"],
                headers=village_headers("en"),
            )
            message.attach_alternative(html, "text/html")
            client.sendmail(
                "village@example.org",
                ["family@families.example.org"],
                message.message().as_bytes(linesep="\r\n"),
            )
    return time.perf_counter() - started


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=50000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="Processes composing the digests (village digests send --processes).",
    )
    parser.add_argument(
        "--pipelined",
        action="store_true",
        help="Workers send while the digests are composed (as deployed), not after.",
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def _analyse() -> None:
    """Vacuum and analyse the freshly generated tables: PostgreSQL's planner needs their
    statistics, and autovacuum may be off (or not have caught up) on a benchmark machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


if __name__ == "__main__":
    main()
