"""Expired data is removed app by app: ``village purge`` asks every installed app that can, and
``village worker`` does the same on its first pass and about once an hour after that.

The kernel imports no app, so these tests give the kernel's own app a ``purge_expired`` to call.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from village.core.retention import PurgeSchedule, purge_expired

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def kernel_purges(monkeypatch) -> Callable[..., list[dt.datetime]]:
    """Give the core app a ``purge_expired`` that records when it was asked and what it says."""

    def install(counts: dict[str, int] | None = None, error: Exception | None = None):
        calls: list[dt.datetime] = []

        def purge_expired(now: dt.datetime) -> dict[str, int]:
            calls.append(now)
            if error is not None:
                raise error
            return counts or {}

        monkeypatch.setattr(
            apps.get_app_config("core"), "purge_expired", purge_expired, raising=False
        )
        return calls

    return install


class TestPurgeCommand:
    def test_asks_each_app_that_can_with_the_current_time_and_prints_its_counts(
        self, kernel_purges
    ):
        calls = kernel_purges({"old_things": 3, "older_things": 0})
        out = io.StringIO()
        with time_machine.travel(MOMENT, tick=False):
            call_command("purge", stdout=out)
        assert calls == [MOMENT]
        lines = out.getvalue().splitlines()
        assert "core.old_things: 3" in lines
        assert "core.older_things: 0" in lines

    def test_every_app_with_a_purge_is_asked_and_no_other(self, kernel_purges):
        kernel_purges({"old_things": 1})
        outcome = purge_expired(timezone.now())
        purging = {
            config.label
            for config in apps.get_app_configs()
            if callable(getattr(config, "purge_expired", None))
        }
        assert set(outcome.removed) == purging
        assert "core" in purging
        assert "auth" not in purging

    def test_a_failing_app_is_reported_and_the_others_still_run(self, kernel_purges, caplog):
        kernel_purges(error=RuntimeError("disk unavailable"))
        out = io.StringIO()
        with (
            caplog.at_level(logging.ERROR, logger="village.core.retention"),
            pytest.raises(CommandError, match="core"),
        ):
            call_command("purge", stdout=out)
        assert "Removing the expired data of core failed" in caplog.text
        outcome = purge_expired()
        assert outcome.failed == ["core"]
        assert "core" not in outcome.removed
        assert outcome.removed, "the apps after the failing one were still asked"


class TestWorker:
    @pytest.fixture(autouse=True)
    def _no_mail_lock(self, settings, tmp_path):
        settings.EMAIL_BACKEND = "mailer.backend.DbBackend"
        settings.MAILER_LOCK_PATH = str(tmp_path / "mailer")
        settings.MAILER_USE_FILE_LOCK = False

    def test_worker_purges_on_its_first_pass_and_prints_what_it_removed(self, kernel_purges):
        calls = kernel_purges({"old_things": 2, "older_things": 0})
        out = io.StringIO()
        call_command("worker", "--once", stdout=out)
        assert len(calls) == 1
        assert "Removed expired data: core.old_things: 2" in out.getvalue()
        assert "older_things" not in out.getvalue()

    def test_worker_can_leave_purging_to_the_command(self, kernel_purges):
        calls = kernel_purges({"old_things": 2})
        call_command("worker", "--once", "--purge-every", "0", stdout=io.StringIO())
        assert calls == []

    def test_a_failing_purge_does_not_stop_the_worker(self, kernel_purges, caplog):
        kernel_purges(error=RuntimeError("disk unavailable"))
        with caplog.at_level(logging.ERROR, logger="village.core.retention"):
            call_command("worker", "--once", stdout=io.StringIO())
        assert "Removing the expired data of core failed" in caplog.text


class TestSchedule:
    def test_due_at_once_then_once_per_interval(self):
        clock = [1000.0]
        schedule = PurgeSchedule(3600, clock=lambda: clock[0])
        assert schedule.due()
        clock[0] += 3599
        assert not schedule.due()
        clock[0] += 1
        assert schedule.due()
        assert not schedule.due()

    def test_default_interval_is_an_hour(self):
        assert PurgeSchedule().interval == 60 * 60
