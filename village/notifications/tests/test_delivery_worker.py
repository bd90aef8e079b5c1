"""``village worker`` as it runs in production, in processes of its own, against a real SMTP
server: a worker killed with SIGKILL in the middle of a batch and started again loses nothing
and sends at most one message twice per kill (with the same Message-ID); two workers draining
one outbox on PostgreSQL at once send each message exactly once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from village.core.tests.test_settings import run_village
from village.notifications.models import Delivery, DeliveryState
from village.notifications.tests.outbox_support import (
    SmtpServer,
    email_delivery,
)

REPO = Path(__file__).resolve().parents[3]
LEASE_SECONDS = 2


@dataclass
class Outbox:
    """The test's database as a worker process reaches it."""

    url: str
    sqlite_file: Path | None

    def states(self) -> list[tuple[str, int]]:
        """Every delivery's state and attempts, as the workers left them."""
        if self.sqlite_file is None:
            return list(Delivery.objects.order_by("key").values_list("state", "attempts"))
        with sqlite3.connect(self.sqlite_file) as database:
            return database.execute(
                "SELECT state, attempts FROM notifications_delivery ORDER BY key"
            ).fetchall()


def _database_url() -> str:
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def outbox_for_workers(tmp_path: Path) -> Outbox:
    """What the test wrote, where a worker process finds it: PostgreSQL's test database (the
    test commits), or on SQLite a copy of the in-memory test database in a file."""
    if connection.vendor == "postgresql":
        return Outbox(_database_url(), None)
    target = tmp_path / "outbox.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()
    return Outbox(f"sqlite:///{target}", target)


def worker(
    outbox: Outbox,
    smtp: SmtpServer,
    tmp_path: Path,
    *arguments: str,
    lease: int = LEASE_SECONDS,
) -> subprocess.Popen[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "village.settings",
        "DATABASE_URL": outbox.url,
        "VILLAGE_VAR_DIR": str(tmp_path / "var"),
        "VILLAGE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "VILLAGE_EMAIL_HOST": "127.0.0.1",
        "VILLAGE_EMAIL_PORT": str(smtp.port),
        "VILLAGE_EMAIL_TLS": "0",
        "VILLAGE_DELIVERY_LEASE_SECONDS": str(lease),
        "VILLAGE_DELIVERY_BACKOFF_SECONDS": "0",
        "VILLAGE_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "village", "worker", "--purge-every", "0", *arguments],
        env=environment,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    """Worker processes a test starts; any still running at its end are stopped."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def sent_by(output: str) -> int:
    return sum(
        int(line.rpartition(": ")[2])
        for line in output.splitlines()
        if line.startswith("notifications.sent: ")
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_and_restarted_loses_nothing_and_repeats_at_most_one(
    smtp_server: SmtpServer, tmp_path: Path, processes: list[subprocess.Popen[str]]
):
    count = 40
    Delivery.objects.bulk_create(
        email_delivery(f"parent{index:02}@families.village.test", f"k{index:02}")
        for index in range(count)
    )
    expected = set(Delivery.objects.values_list("headers__Message-ID", flat=True))
    assert len(expected) == count
    outbox = outbox_for_workers(tmp_path)
    inbox = smtp_server.inbox
    inbox.delay = 0.03  # a slow server: the kill lands while the batch is being sent
    # SIGKILL the worker while the server holds the 10th and the 25th message it received,
    # before it answers: the worker never learns that they went.
    victims: dict[int, subprocess.Popen[str]] = {}
    killed_at: list[str] = []

    def kill_the_worker(received: int) -> None:
        if received in victims:
            killed_at.append(inbox.message_ids()[received - 1])
            os.kill(victims[received].pid, signal.SIGKILL)

    inbox.after_data = kill_the_worker
    for kill_at in (10, 25):
        process = worker(outbox, smtp_server, tmp_path, "--burst")
        processes.append(process)
        victims[kill_at] = process
        process.communicate(timeout=120)
        assert process.returncode == -signal.SIGKILL
        assert len(inbox.received) == kill_at
        # Its claimed rows wait for the lease to end, then any worker may take them.
        time.sleep(LEASE_SECONDS + 0.5)
    last = worker(outbox, smtp_server, tmp_path, "--burst")
    processes.append(last)
    output, errors = last.communicate(timeout=120)
    assert last.returncode == 0, errors

    received = Counter(inbox.message_ids())
    assert set(received) == expected  # every message arrived
    twice = sorted(message_id for message_id, times in received.items() if times > 1)
    assert twice == sorted(killed_at)  # at most one duplicate per kill: the message in flight
    assert all(received[message_id] == 2 for message_id in twice)
    assert len(inbox.received) == count + len(killed_at)
    # The last worker sends what the others had not recorded: the 24 distinct messages received
    # before the second kill, but for the one it interrupted.
    assert sent_by(output) == count - 24 + 1
    states = outbox.states()
    assert {state for state, _attempts in states} == {DeliveryState.SENT}
    assert {attempts for _state, attempts in states} == {1}


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_two_thousand_deliveries_at_once_send_each_exactly_once(
    smtp_server: SmtpServer, tmp_path: Path, processes: list[subprocess.Popen[str]]
):
    count = 2000
    # Due in a few seconds: both workers are polling by then and drain the outbox together.
    due = timezone.now() + dt.timedelta(seconds=8)
    rows = [
        email_delivery(f"parent{index:04}@families.village.test", f"k{index:04}")
        for index in range(count)
    ]
    for row in rows:
        row.due_at = due
    Delivery.objects.bulk_create(rows)
    expected = set(Delivery.objects.values_list("headers__Message-ID", flat=True))
    outbox = outbox_for_workers(tmp_path)
    # Neither worker dies here, so the lease is an ordinary one: with a lease of two seconds,
    # a worker the machine does not schedule for more than a second between checking its lease
    # and handing a message over may find that message taken (what a lease allows, by design).
    for _worker in range(2):
        processes.append(worker(outbox, smtp_server, tmp_path, "--sleep", "0.2", lease=60))
    deadline = time.monotonic() + 240
    pending = Delivery.objects.exclude(state=DeliveryState.SENT)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not pending.exists()
    outputs = []
    for process in processes:
        process.send_signal(signal.SIGTERM)
        output, _errors = process.communicate(timeout=30)
        outputs.append(sent_by(output))
    received = Counter(smtp_server.inbox.message_ids())
    assert set(received) == expected
    assert max(received.values()) == 1  # exactly once
    assert len(smtp_server.inbox.received) == count
    assert sum(outputs) == count
    assert all(sent > 0 for sent in outputs), outputs  # both took part
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_a_lease_shorter_than_a_second_is_refused_naming_the_setting(tmp_path: Path):
    result = run_village("check", VILLAGE_DELIVERY_LEASE_SECONDS="0", VILLAGE_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "VILLAGE_DELIVERY_LEASE_SECONDS must be at least 1 (seconds)." in result.stderr
