"""Every announcement page for every persona: a recipient's list and an announcement, its file,
the sent list, a new one, its reach, the printable list, the text fallback, withdrawing one.
Who may not reach something gets a 404, never a word of it. The lists and the reach page cost
the same number of queries however many announcements or recipients there are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.authorization import EVERYONE, STAFF, client_for
from village.announcements.models import Announcement, Attachment, AudienceScope, Recipient
from village.announcements.tests.support import BODY, TITLE, announce

pytestmark = pytest.mark.django_db

#: Ms. Rivera to Grade 5 Homeroom's families and students, with a file.
READERS = {"sam", "ada", "maya"}
MANAGERS = {"rivera", "nguyen", "priya"}
ANNOUNCERS = {"rivera", "chen", "park", "stone", "nguyen", "priya"}


@pytest.fixture
def homeroom(personas):
    return announce(
        personas.rivera,
        class_id=personas.homeroom5.pk,
        to_students=True,
        files=[SimpleUploadedFile("permission.pdf", b"%PDF-1.4\n%permission slip\n")],
    )


def _get(personas, persona, name, *args):
    return client_for(getattr(personas, persona)).get(reverse(f"announcements:{name}", args=args))


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_list_shows_only_ones_own_announcements(personas, homeroom, persona):
    response = _get(personas, persona, "inbox")
    assert response.status_code == 200
    assert (TITLE in response.content.decode()) == (persona in READERS)


@pytest.mark.parametrize("persona", EVERYONE)
def test_an_announcement_page(personas, homeroom, persona):
    response = _get(personas, persona, "detail", homeroom.pk)
    if persona in READERS | MANAGERS:
        assert response.status_code == 200
        html = response.content.decode()
        assert BODY in html
        assert ("Who has read it" in html) == (persona in MANAGERS)
        assert ('name="body"' in html) == (persona in READERS)
    else:
        assert response.status_code == 404
        assert BODY not in response.content.decode()
    read = Recipient.objects.filter(announcement=homeroom, read_at__isnull=False)
    assert set(read.values_list("user__username", flat=True)) == (
        {persona} if persona in READERS else set()
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_its_file(personas, homeroom, persona):
    attachment = Attachment.objects.get()
    response = _get(personas, persona, "attachment", homeroom.pk, attachment.pk)
    if persona in READERS | MANAGERS:
        assert response.status_code == 200
        assert response.getvalue().startswith(b"%PDF")
        assert response["Content-Disposition"].startswith("attachment")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("page", ["reach", "reach_print"])
def test_its_reach_and_printable_list(personas, homeroom, persona, page):
    response = _get(personas, persona, page, homeroom.pk)
    if persona in MANAGERS:
        assert response.status_code == 200
        assert TITLE in response.content.decode()
    else:
        assert response.status_code == 404
        assert TITLE not in response.content.decode()


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_text_fallback(personas, homeroom, persona):
    client = client_for(getattr(personas, persona))
    response = client.post(reverse("announcements:text_fallback", args=[homeroom.pk]))
    assert response.status_code == (302 if persona in MANAGERS else 404)


@pytest.mark.parametrize("persona", EVERYONE)
def test_withdrawing_a_scheduled_one(personas, persona):
    later = announce(
        personas.rivera,
        class_id=personas.homeroom5.pk,
        send_at=timezone.now() + dt.timedelta(days=1),
    )
    client = client_for(getattr(personas, persona))
    response = client.post(reverse("announcements:cancel", args=[later.pk]))
    later.refresh_from_db()
    if persona in MANAGERS:
        assert response.status_code == 302
        assert later.cancelled_at is not None
    else:
        assert response.status_code == 404
        assert later.cancelled_at is None


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_sent_list(personas, homeroom, persona):
    response = _get(personas, persona, "sent")
    if persona in STAFF:
        assert response.status_code == 200
        assert (TITLE in response.content.decode()) == (persona in MANAGERS)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_new_announcement_page(personas, persona):
    response = _get(personas, persona, "new")
    assert response.status_code == (200 if persona in ANNOUNCERS else 404)


def test_the_new_page_offers_only_what_the_policy_allows(personas):
    html = _get(personas, "rivera", "new").content.decode()
    assert "Grade 5 Homeroom" in html
    assert "Grade 8 Science" in html
    assert "Grade 8 Math" not in html
    assert "Oak Hill" not in html
    assert 'name="to_staff"' not in html
    assert 'name="urgent"' not in html
    admin = _get(personas, "nguyen", "new").content.decode()
    assert "Grade 8 Math" in admin
    assert 'name="urgent"' in admin
    assert "Grade 5 · Riverside" in admin
    district = _get(personas, "priya", "new").content.decode()
    assert "Oak Hill Elementary" in district
    assert "Riverside Unified School District" in district


def _post(personas, persona, **fields):
    data = {"title": "Picture day", "body": "Picture day is on Tuesday.", "to_families": "on"}
    data.update(fields)
    return client_for(getattr(personas, persona)).post(reverse("announcements:new"), data)


def test_a_teacher_sends_to_their_class_from_the_page(personas):
    response = _post(personas, "rivera", target=f"class:{personas.homeroom5.pk}")
    sent = Announcement.objects.get()
    assert response["Location"] == reverse("announcements:reach", args=[sent.pk])
    assert sent.sent_at is not None
    assert set(Recipient.objects.values_list("user__username", flat=True)) == {"sam"}


@pytest.mark.parametrize(
    ("persona", "fields", "field"),
    [
        ("rivera", {"target": "class:{math8}"}, "target"),
        ("rivera", {"target": "class:{homeroom5}", "title": ""}, "title"),
        ("rivera", {"target": "class:{homeroom5}", "to_families": ""}, "to_families"),
        ("rivera", {"target": "class:{homeroom5}", "send_at": "2001-01-01T10:00"}, "send_at"),
        ("rivera", {"target": "class:{homeroom5}", "pinned_until": "2001-01-01"}, "pinned_until"),
    ],
)
def test_bad_input_is_refused_naming_the_field(personas, persona, fields, field):
    ids = {"math8": personas.math8.pk, "homeroom5": personas.homeroom5.pk}
    response = _post(personas, persona, **{k: v.format(**ids) for k, v in fields.items()})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("persona", ["sam", "ada", "library", "eve"])
def test_people_who_may_not_announce_cannot_post_either(personas, persona):
    response = _post(personas, persona, target=f"class:{personas.homeroom5.pk}")
    assert response.status_code == 404
    assert not Announcement.objects.exists()


def test_the_home_page_shows_a_familys_unread_announcements(personas, homeroom):
    html = client_for(personas.sam).get(reverse("community:home")).content.decode()
    assert TITLE in html
    assert "All announcements (1 not read)" in html or "Todos los anuncios" in html
    assert TITLE not in client_for(personas.jordan).get(reverse("community:home")).content.decode()


# --- the number of queries -----------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_lists_take_as_many_queries_for_many_announcements_as_for_few(personas):
    announce(personas.rivera, class_id=personas.homeroom5.pk)
    sam = client_for(personas.sam)
    nguyen = client_for(personas.nguyen)
    inbox, sent = reverse("announcements:inbox"), reverse("announcements:sent")
    few = (_queries(sam, inbox), _queries(nguyen, sent))
    for n in range(6):
        announce(personas.rivera, class_id=personas.homeroom5.pk, title=f"Note {n}")
        announce(
            personas.nguyen,
            AudienceScope.SCHOOL,
            school_id=personas.school.pk,
            title=f"School {n}",
            pinned_until=timezone.localdate() + dt.timedelta(days=3),
        )
    assert (_queries(sam, inbox), _queries(nguyen, sent)) == few
