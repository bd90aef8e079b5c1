"""The inbox's list is rendered once and kept (see ``inbox_list``), and never shows less than
what has happened: a new message, a reading, a hidden message, a translation that became ready,
another language and the passing of time each show on the next look."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.authorization import client_for
from village.accounts.models import User
from village.messaging import inbox_list, policies, services
from village.messaging.models import Conversation, ConversationKind
from village.messaging.policies import Invitees
from village.translation import worker

pytestmark = pytest.mark.django_db


def start(personas, *, starter: User | None = None, guardians=(), staff=()) -> Conversation:
    starter = starter or personas.rivera
    leo, school_id = policies.student_for_messages(starter, personas.leo.pk)
    return services.start(
        starter=starter,
        student=leo,
        school_id=school_id,
        kind=ConversationKind.STAFF if not guardians else ConversationKind.FAMILY,
        subject="Leo's lab work",
        body="The lab report is late.",
        invitees=Invitees(guardians=[g.pk for g in guardians], staff=[s.pk for s in staff]),
    ).conversation


def listing(client) -> str:
    html = client.get(reverse("messaging:inbox")).content.decode()
    return html.split('<div class="messaging">', 1)[1].split("</nav>", 1)[1]


def test_a_second_look_reads_the_kept_list_for_at_least_three_queries_less(personas):
    start(personas, staff=[personas.chen])
    rivera = client_for(personas.rivera)
    with CaptureQueriesContext(connection) as first:
        shown = listing(rivera)
    with CaptureQueriesContext(connection) as again:
        assert listing(rivera) == shown
    assert "Leo&#x27;s lab work" in shown
    # The kept list costs one query (the mark) instead of the list's own.
    assert len(again.captured_queries) <= len(first.captured_queries) - 3


def test_a_new_message_and_a_reading_show_at_once(personas):
    conversation = start(personas, staff=[personas.chen])
    rivera = client_for(personas.rivera)
    assert "1 new" not in listing(rivera)

    chen_in = policies.conversation_for_participant(personas.chen, conversation.pk)
    services.reply(chen_in, personas.chen, "I can take the class on Friday.")
    shown = listing(rivera)
    assert "I can take the class on Friday." in shown
    assert "1 new" in shown

    rivera.get(reverse("messaging:conversation", args=[conversation.pk]))
    assert "1 new" not in listing(rivera)


def test_a_hidden_message_leaves_the_list_at_once(personas):
    conversation = start(personas, staff=[personas.chen])
    chen_in = policies.conversation_for_participant(personas.chen, conversation.pk)
    written = services.reply(chen_in, personas.chen, "Wrong class, sorry.")
    rivera = client_for(personas.rivera)
    assert "Wrong class, sorry." in listing(rivera)

    services.hide(chen_in, written, personas.chen)
    assert "Wrong class, sorry." not in listing(rivera)


def test_a_translation_on_its_way_is_not_kept(personas, settings):
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]
    start(personas, guardians=[personas.sam])
    sam = client_for(personas.sam)
    assert "The lab report is late." in listing(sam)  # the original, until it is translated

    worker.run()
    shown = listing(sam)
    assert "The lab report is late." not in shown
    assert "informe" in shown.lower()


def test_another_language_is_another_list(personas):
    start(personas, staff=[personas.chen])
    rivera = client_for(personas.rivera)
    assert "About Leo" in listing(rivera)
    User.objects.filter(pk=personas.rivera.pk).update(preferred_language="es")
    assert "Sobre Leo" in listing(rivera)


def test_the_time_since_the_last_message_moves_on(personas):
    written = timezone.now().replace(microsecond=0)
    with time_machine.travel(written, tick=False):
        start(personas, staff=[personas.chen])
    rivera = client_for(personas.rivera)
    with time_machine.travel(written + dt.timedelta(seconds=10), tick=False):
        assert "just now" in listing(rivera)
    with time_machine.travel(written + dt.timedelta(seconds=50), tick=False):
        assert "just now" in listing(rivera)
    with time_machine.travel(written + dt.timedelta(seconds=90), tick=False):
        assert "1\xa0minute ago" in listing(rivera)


@pytest.mark.parametrize(
    ("age", "changes_after"),
    [
        (dt.timedelta(seconds=10), dt.timedelta(minutes=1)),
        (dt.timedelta(minutes=5, seconds=10), dt.timedelta(minutes=6)),
        (dt.timedelta(hours=3, minutes=2), dt.timedelta(hours=4)),
        (dt.timedelta(days=2, hours=1), dt.timedelta(days=3)),
    ],
)
def test_the_list_is_kept_until_the_time_shown_would_change(age, changes_after):
    moment = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    assert inbox_list.clock_changes(moment, moment + age) == moment + changes_after


def test_a_page_number_that_is_not_a_number_is_answered_and_not_kept(personas):
    start(personas, staff=[personas.chen])
    rivera = client_for(personas.rivera)
    looks = []
    for _look in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = rivera.get(reverse("messaging:inbox"), {"page": "x" * 40})
        assert response.status_code == 200
        assert "Leo&#x27;s lab work" in response.content.decode()
        looks.append(len(queries.captured_queries))
    assert looks[1] == looks[0]  # rendered afresh both times
