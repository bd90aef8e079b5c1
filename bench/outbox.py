"""Time the notification outbox on PostgreSQL against the floor of the mail server it feeds.

    make bench-outbox
    .venv/bin/python bench/outbox.py --messages 20000 --workers 1 2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other_bench .venv/bin/python bench/outbox.py

In one run, with a local SMTP sink (aiosmtpd in a process of its own, accepting everything):

1. the **floor**: one message built once and sent N times over one SMTP connection (and over
   as many connections as the most workers measured), without Django or a database: what the
   sink and the loopback allow;
2. Django's SMTP backend building and sending the same N messages over one connection, still
   without a database: what building each message costs;
3. for each worker count: N email deliveries queued in the outbox (as ``notify`` writes them,
   each with its own Message-ID), then drained by that many ``village worker --burst``
   processes (claim with a lease and ``SKIP LOCKED``, send, record each outcome), checked to
   have reached the sink exactly once each.

Figures are printed one per line, messages per second and as a share of the floor (steadier
than the seconds on a busy machine), with the CPU seconds of the workers. The database is
created when missing and only its outbox emptied; it must be one kept for benchmarks (``bench``
in its name).
"""

from __future__ import annotations

import argparse
import os
import resource
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/village_bench_outbox"
#: A notice as families receive them: a short text and its HTML alternative (about 2 kB).
TEXT = (
    "Hello,\n\nLeo Okoye's essay on the water cycle (Grade 8 Science) was due on Friday and has"
    " not been handed in. You can see it, and what Ms. Rivera said about it, in Village:\n\n"
    "https://village.example.org/family/children/12/work/345/\n\n"
    "Change which emails you receive: https://village.example.org/notifications/settings/\n"
) * 3
HTML = "<p>" + TEXT.replace("\n\n", "</p><p>") + "</p>"


def main() -> None:
    options = _arguments()
    if options.sink is not None:
        _run_sink(options.sink)
        return
    os.environ["DATABASE_URL"] = options.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "village.settings")
    _create_database(options.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    port = _free_port()
    sink = subprocess.Popen(
        [sys.executable, __file__, "--sink", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port)
        _measure(options, port, sink)
    finally:
        sink.terminate()
        sink.wait(timeout=30)


def _measure(options: argparse.Namespace, port: int, sink: subprocess.Popen[str]) -> None:
    from django.db import connection

    count = options.messages
    _line("database", f"{connection.vendor} ({connection.settings_dict['NAME']})")
    _line("messages", f"{count}, about {len(_message_bytes())} bytes each")
    floor = _floor(port, count, connections=1)
    _line("floor, 1 connection", _rate(count, floor))
    most = max(options.workers)
    if most > 1:
        seconds = _floor(port, count, connections=most)
        _line(f"floor, {most} connections", _rate(count, seconds, floor))
    seconds = _django_backend(port, count)
    _line("Django SMTP, no database", _rate(count, seconds, floor))
    for workers in options.workers:
        before = _received(sink)
        queued = _queue(count)
        _line(f"queue {count} deliveries", f"{queued:.2f} s ({count / queued:,.0f} rows/s)")
        wall, cpu = _drain(port, workers)
        _check_sent(count, _received(sink) - before)
        _line(f"outbox, {workers} worker{'s' if workers > 1 else ''}", _rate(count, wall, floor))
        _line("", f"worker CPU {cpu:.1f} s ({1000 * cpu / count:.2f} ms per message)")


def _rate(count: int, seconds: float, floor: float | None = None) -> str:
    text = f"{seconds:.2f} s, {count / seconds:,.0f} messages/s"
    if floor is not None:
        text += f", {floor / seconds:.2f} of the floor's rate"
    return text


def _message_bytes() -> bytes:
    from django.core.mail import EmailMultiAlternatives

    from village.core.mail import village_headers

    message = EmailMultiAlternatives(
        subject="Leo has missing work in Grade 8 Science",
        body=TEXT,
        from_email="Village <village@example.org>",
        to=["sam@families.example.org"],
        headers=village_headers("en"),
    )
    message.attach_alternative(HTML, "text/html")
    return message.message().as_bytes(linesep="\r\n")


def _floor(port: int, count: int, *, connections: int) -> float:
    """Seconds to send one pre-built message ``count`` times over ``connections`` SMTP
    connections at once (no Django, no database)."""
    data = _message_bytes()
    shares = [count // connections + (index < count % connections) for index in range(connections)]

    def send(share: int) -> None:
        with smtplib.SMTP("127.0.0.1", port) as client:
            for _message in range(share):
                client.sendmail("village@example.org", ["sam@families.example.org"], data)

    threads = [threading.Thread(target=send, args=(share,)) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _django_backend(port: int, count: int) -> float:
    """Seconds for Django's SMTP backend to build and send ``count`` messages (no database)."""
    from django.core.mail import EmailMultiAlternatives
    from django.core.mail.backends.smtp import EmailBackend

    from village.core.mail import village_headers

    backend = EmailBackend(host="127.0.0.1", port=port, use_tls=False, username="", password="")
    started = time.perf_counter()
    backend.open()
    for _message in range(count):
        message = EmailMultiAlternatives(
            subject="Leo has missing work in Grade 8 Science",
            body=TEXT,
            from_email="Village <village@example.org>",
            to=["sam@families.example.org"],
            headers=village_headers("en"),
            connection=backend,
        )
        message.attach_alternative(HTML, "text/html")
        message.send()
    backend.close()
    return time.perf_counter() - started


def _queue(count: int) -> float:
    """Empty the outbox and queue ``count`` email deliveries; seconds taken."""
    from django.core.mail import EmailMultiAlternatives
    from django.db import connection
    from django.utils import timezone

    from village.core.mail import village_headers
    from village.notifications.models import Delivery
    from village.notifications.services.notify import delivery_from_message

    with connection.cursor() as cursor:  # no dead rows of an earlier run to wade through
        cursor.execute(f"TRUNCATE {Delivery._meta.db_table} CASCADE")
    started = time.perf_counter()
    now = timezone.now()
    rows = []
    for index in range(count):
        message = EmailMultiAlternatives(
            subject="Leo has missing work in Grade 8 Science",
            body=TEXT,
            to=[f"family{index}@families.example.org"],
            headers=village_headers("en"),
        )
        message.attach_alternative(HTML, "text/html")
        rows.append(
            delivery_from_message(
                message, key=f"bench:{index}", recipient=None, kind="bench", due=now, now=now
            )
        )
    Delivery.objects.bulk_create(rows, batch_size=2000)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:  # as autovacuum would soon after
        cursor.execute(f"ANALYZE {Delivery._meta.db_table}")
    return seconds


def _drain(port: int, workers: int) -> tuple[float, float]:
    """Wall seconds for ``workers`` worker processes to empty the outbox (each started with
    ``--burst``: it stops once nothing is due), and their CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="village-bench-outbox-") as var:
        environment = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "VILLAGE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "VILLAGE_EMAIL_HOST": "127.0.0.1",
            "VILLAGE_EMAIL_PORT": str(port),
            "VILLAGE_EMAIL_TLS": "0",
            "VILLAGE_LOG_LEVEL": "WARNING",
        }
        command = [
            *(sys.executable, "-m", "village", "worker", "--burst"),
            *("--purge-every", "0", "--retry-every", "1000000"),
        ]
        cpu_before = _children_cpu()
        started = time.perf_counter()
        # Each its own var/: django-mailer's lock (the other mail the worker sends) is per
        # folder, and a second worker finding it taken says so in the log.
        processes = [
            subprocess.Popen(
                command,
                env={**environment, "VILLAGE_VAR_DIR": f"{var}/{worker}"},
                cwd=REPO,
                stdout=subprocess.DEVNULL,
            )
            for worker in range(workers)
        ]
        for process in processes:
            if process.wait() != 0:
                raise SystemExit(f"a worker failed with exit status {process.returncode}")
        return time.perf_counter() - started, _children_cpu() - cpu_before


def _check_sent(count: int, received: int) -> None:
    from village.notifications.models import Delivery, DeliveryState

    sent = Delivery.objects.filter(state=DeliveryState.SENT, attempts=1).count()
    if sent != count or received != count:
        raise SystemExit(f"expected {count} messages sent once: {sent} sent, {received} received")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- the SMTP sink --------------------------------------------------------------------------


def _run_sink(port: int) -> None:
    """Accept every message on ``port``; answer each line read from stdin with the count."""
    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            Sink.received += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for _line_read in sys.stdin:
            print(Sink.received, flush=True)
    finally:
        controller.stop()


def _received(sink: subprocess.Popen[str]) -> int:
    assert sink.stdin is not None
    assert sink.stdout is not None
    sink.stdin.write("count\n")
    sink.stdin.flush()
    return int(sink.stdout.readline())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("the SMTP sink did not start")


# --- set-up ---------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    return parser.parse_args()


def _create_database(url: str) -> None:
    """Create the benchmark database when it is missing (connecting to ``postgres``)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"DATABASE_URL must point to PostgreSQL, not {parts.scheme}")
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f'The benchmark empties the outbox of database "{name}": name one for benchmarks '
            '(with "bench" in its name).'
        )
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _line(label: str, value: str) -> None:
    print(f"{label:<30}{value}", flush=True)


if __name__ == "__main__":
    main()
