"""Every messaging page for every persona: the inbox, starting a conversation, a conversation,
replying, hiding, reporting, its files, office hours and the reported messages. Who may not
reach something gets a 404, never a word of it. The inbox costs the same number of queries
however many conversations there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.authorization import EVERYONE, STAFF, client_for
from village.community.models import GuardianLink
from village.messaging import policies, services
from village.messaging.models import Attachment, ConversationKind, Message
from village.messaging.policies import Invitees

pytestmark = pytest.mark.django_db

SUBJECT = "Leo's late lab report"
BODY = "The lab report on plant cells is a week late."


@pytest.fixture
def about_leo(personas):
    """Ms. Rivera writes to Sam about Leo, Leo in the conversation, with a file."""
    leo, school_id = policies.student_for_messages(personas.rivera, personas.leo.pk)
    started = services.start(
        starter=personas.rivera,
        student=leo,
        school_id=school_id,
        kind=ConversationKind.FAMILY,
        subject=SUBJECT,
        body=BODY,
        invitees=Invitees(guardians=[personas.sam.pk], with_student=True),
        files=[SimpleUploadedFile("rubric.pdf", b"%PDF-1.4\n%rubric\n")],
    )
    return started.conversation


PARTICIPANTS = {"rivera", "sam", "leo"}
SAFEGUARDING = {"nguyen", "priya"}


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_inbox_shows_only_ones_own_conversations(personas, about_leo, persona):
    response = client_for(getattr(personas, persona)).get(reverse("messaging:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert (SUBJECT.replace("'", "&#x27;") in html) == (persona in PARTICIPANTS)


@pytest.mark.parametrize("persona", EVERYONE)
def test_a_conversation_page(personas, about_leo, persona):
    response = client_for(getattr(personas, persona)).get(
        reverse("messaging:conversation", args=[about_leo.pk])
    )
    if persona in PARTICIPANTS | SAFEGUARDING:
        assert response.status_code == 200
        html = response.content.decode()
        assert BODY in html
        assert ("as a school administrator" in html) == (persona in SAFEGUARDING)
        assert ('name="body"' in html) == (persona in PARTICIPANTS)
    else:
        assert response.status_code == 404
        assert BODY not in response.content.decode()


@pytest.mark.parametrize("persona", EVERYONE)
def test_replying(personas, about_leo, persona):
    url = reverse("messaging:conversation", args=[about_leo.pk])
    response = client_for(getattr(personas, persona)).post(url, {"body": "A reply"})
    if persona in PARTICIPANTS:
        assert response.status_code == 302
        assert Message.objects.filter(body="A reply", author__username=persona).exists()
    else:
        assert response.status_code == 404
        assert not Message.objects.filter(body="A reply").exists()


@pytest.mark.parametrize("persona", EVERYONE)
def test_a_file_of_a_message(personas, about_leo, persona):
    attachment = Attachment.objects.get()
    response = client_for(getattr(personas, persona)).get(
        reverse("messaging:attachment", args=[about_leo.pk, attachment.pk])
    )
    if persona in PARTICIPANTS | SAFEGUARDING:
        assert response.status_code == 200
        assert response.getvalue().startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", EVERYONE)
def test_reporting_a_message(personas, about_leo, persona):
    message = Message.objects.get()
    url = reverse("messaging:report", args=[about_leo.pk, message.pk])
    client = client_for(getattr(personas, persona))
    if persona in PARTICIPANTS:
        assert client.get(url).status_code == 200
        assert client.post(url, {"reason": "Not kind"}).status_code == 302
        assert message.reports.filter(reporter__username=persona).exists()
    else:
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "Not kind"}).status_code == 404
        assert not message.reports.exists()


@pytest.mark.parametrize("persona", EVERYONE)
def test_hiding_a_message(personas, about_leo, persona):
    message = Message.objects.get()
    url = reverse("messaging:hide", args=[about_leo.pk, message.pk])
    response = client_for(getattr(personas, persona)).post(url, {"reason": "Shared a phone number"})
    message.refresh_from_db()
    if persona == "rivera" or persona in SAFEGUARDING:
        assert response.status_code == 302
        assert message.hidden_at is not None
    elif persona in PARTICIPANTS:
        assert response.status_code == 302  # refused with a message, nothing hidden
        assert message.hidden_at is None
    else:
        assert response.status_code == 404
        assert message.hidden_at is None


#: Who may start a conversation about Leo (Jordan's link has no messages area).
STARTERS_ABOUT_LEO = {"rivera", "chen", "nguyen", "priya", "sam", "leo"}


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_start_page_about_a_student(personas, persona):
    url = reverse("messaging:start") + f"?student={personas.leo.pk}"
    response = client_for(getattr(personas, persona)).get(url)
    assert response.status_code == (200 if persona in STARTERS_ABOUT_LEO else 404)


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_student_chooser_lists_only_students_one_may_write_about(personas, persona):
    html = client_for(getattr(personas, persona)).get(reverse("messaging:start")).content.decode()
    assert ("Leo Okoye" in html) == (persona in STARTERS_ABOUT_LEO)
    assert ("Finn Walsh" in html) == (persona in {"stone", "eve", "finn"})


def test_jordan_reaches_leos_teachers_once_his_link_allows_messages(personas):
    url = reverse("messaging:start") + f"?student={personas.leo.pk}"
    assert client_for(personas.jordan).get(url).status_code == 404
    GuardianLink.objects.filter(guardian=personas.jordan).update(scope_messages=True)
    assert client_for(personas.jordan).get(url).status_code == 200


def test_sam_starts_a_conversation_with_leos_teacher(personas):
    response = client_for(personas.sam).post(
        reverse("messaging:start"),
        {
            "student": personas.leo.pk,
            "kind": "family",
            "staff": [personas.chen.pk],
            "subject": "Matemáticas",
            "body": "¿Cómo va Leo en matemáticas?",
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert response["Location"] == reverse("messaging:conversation", args=[message.conversation_id])
    assert set(message.conversation.participants.values_list("user__username", flat=True)) == {
        "sam",
        "chen",
    }


def test_a_start_naming_someone_not_allowed_is_refused_with_the_field_named(personas):
    response = client_for(personas.sam).post(
        reverse("messaging:start"),
        {
            "student": personas.leo.pk,
            "kind": "family",
            "staff": [personas.stone.pk],
            "subject": "Hola",
            "body": "Hola",
        },
    )
    assert response.status_code == 200
    assert not Message.objects.exists()
    assert "staff" in response.context["form"].errors


@pytest.mark.parametrize("persona", EVERYONE)
def test_office_hours_are_for_staff(personas, persona):
    response = client_for(getattr(personas, persona)).get(reverse("messaging:office_hours"))
    assert response.status_code == (200 if persona in STAFF else 404)


def test_office_hours_with_a_bad_time_change_nothing(personas):
    client = client_for(personas.rivera)
    response = client.post(
        reverse("messaging:office_hours"),
        {"starts_0": "16:00", "ends_0": "08:00", "starts_1": "08:00"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "ends_0" in form.errors
    assert "ends_1" in form.errors
    assert not personas.rivera.office_hours.exists()
    response = client.post(
        reverse("messaging:office_hours"), {"starts_0": "08:00", "ends_0": "16:00"}
    )
    assert response.status_code == 302
    assert list(personas.rivera.office_hours.values_list("weekday", "starts", "ends")) == [
        (0, dt.time(8), dt.time(16))
    ]


@pytest.mark.parametrize("persona", EVERYONE)
def test_reported_messages_are_for_admins(personas, about_leo, persona):
    services.report(Message.objects.get(), personas.sam, "Unkind")
    response = client_for(getattr(personas, persona)).get(reverse("messaging:reports"))
    if persona in SAFEGUARDING:
        assert response.status_code == 200
        assert "Unkind" in response.content.decode()
    else:
        assert response.status_code == 404


def test_a_safeguarding_read_is_audited(personas, about_leo):
    from village.core.models import AuditEvent

    client_for(personas.nguyen).get(reverse("messaging:conversation", args=[about_leo.pk]))
    event = AuditEvent.objects.get(actor=personas.nguyen)
    assert (event.student_id, event.object_type, event.object_id) == (
        personas.leo.pk,
        "conversation",
        str(about_leo.pk),
    )


def test_the_inbox_costs_the_same_queries_however_many_conversations(personas):
    leo, school_id = policies.student_for_messages(personas.rivera, personas.leo.pk)

    def write(count: int) -> None:
        for number in range(count):
            services.start(
                starter=personas.rivera,
                student=leo,
                school_id=school_id,
                kind=ConversationKind.FAMILY,
                subject=f"Note {number}",
                body="Hello",
                invitees=Invitees(guardians=[personas.sam.pk], staff=[personas.chen.pk]),
            )

    client = client_for(personas.sam)
    url = reverse("messaging:inbox")
    write(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    write(12)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "Note 11" in html
    assert len(many.captured_queries) == len(few.captured_queries)
