"""A calendar app reading a feed is a view of the children's records by the feed's owner, written
to the audit log without the feed's secret address."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from village.calendar.tests.calendar_data import assignment, feed_for, feed_path, in_english
from village.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(personas):
    in_english(personas.sam)


def test_each_read_of_a_family_feed_audits_every_child_it_shows(personas):
    assignment(personas.homeroom5, title="Essay: my summer")
    feed, token = feed_for(personas.sam)
    statements: list[str] = []

    def record(run, sql, *args):
        statements.append(sql)
        return run(sql, *args)

    with connection.execute_wrapper(record):
        assert Client().get(feed_path(token)).status_code == 200
    Client().get(feed_path(token))
    rows = list(
        AuditEvent.objects.values_list(
            "actor_id", "student_id", "action", "channel", "organisation_id", "path"
        )
    )
    one_read = {
        (
            personas.sam.pk,
            child.pk,
            AuditAction.VIEW_STUDENT,
            "calendar",
            personas.school.pk,
            f"calendar feed {feed.pk}",
        )
        for child in (personas.ada, personas.leo)
    }
    assert len(rows) == 4  # every read, not once an hour
    assert set(rows) == one_read
    assert all(token not in row[5] for row in rows)
    table = AuditEvent._meta.db_table
    inserts = [sql for sql in statements if sql.startswith("INSERT") and table in sql]
    assert len(inserts) == 1


def test_a_childs_feed_audits_that_child_only(personas):
    _feed, token = feed_for(personas.sam, personas.leo)
    Client().get(feed_path(token))
    assert set(AuditEvent.objects.values_list("student_id", flat=True)) == {personas.leo.pk}


def test_a_refused_feed_writes_nothing(personas):
    assert Client().get(feed_path("not-a-real-token")).status_code == 404
    assert not AuditEvent.objects.exists()


def test_the_audit_log_names_the_calendar_as_the_way_in(client, personas):
    _feed, token = feed_for(personas.sam)
    Client().get(feed_path(token))
    personas.nguyen.refresh_from_db(fields=["password"])
    client.force_login(personas.nguyen)
    html = client.get("/audit/").content.decode()
    assert "Calendar feed" in html
