"""Announcements in the JSON API, per role: a recipient's list and reading one (its read
receipt), staff's sent list and reach, and a new one through the same policy, with 404 for a
target one may not announce to and 422 naming the field for bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.authorization import EVERYONE, STAFF, api_client_for, client_for
from village.announcements.models import Announcement, Recipient
from village.announcements.services.announcements import MAX_ATTACHMENTS
from village.announcements.tests.support import BODY, TITLE, announce

pytestmark = pytest.mark.django_db

BASE = "/api/v1/announcements"
READERS = {"sam", "ada", "maya"}
MANAGERS = {"rivera", "nguyen", "priya"}


@pytest.fixture
def homeroom(personas):
    return announce(personas.rivera, class_id=personas.homeroom5.pk, to_students=True)


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_list_holds_ones_own(personas, homeroom, persona):
    response = api_client_for(getattr(personas, persona)).get(BASE)
    assert response.status_code == 200
    body = response.json()
    titles = [item["title"]["original"] for item in body["items"]]
    assert titles == ([TITLE] if persona in READERS else [])
    assert body["count"] == len(titles)


@pytest.mark.parametrize("persona", EVERYONE)
def test_reading_one_is_its_read_receipt(personas, homeroom, persona):
    response = api_client_for(getattr(personas, persona)).get(f"{BASE}/{homeroom.pk}")
    if persona not in READERS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    found = response.json()
    assert found["body"]["original"] == BODY
    assert found["sender"] == "Elena Rivera"
    assert found["audience"] == "Families and students of Grade 5 Homeroom"
    assert found["read_at"] is not None
    assert Recipient.objects.get(user__username=persona).read_at is not None


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_sent_list_and_reach_are_for_staff(personas, homeroom, persona):
    client = api_client_for(getattr(personas, persona))
    listed = client.get(f"{BASE}/sent")
    reach = client.get(f"{BASE}/{homeroom.pk}/reach")
    if persona not in STAFF:
        assert listed.status_code == 404
        assert reach.status_code == 404
        return
    assert listed.status_code == 200
    ids = [item["id"] for item in listed.json()["items"]]
    assert ids == ([homeroom.pk] if persona in MANAGERS else [])
    if persona in MANAGERS:
        assert reach.status_code == 200
        assert (reach.json()["recipients"], reach.json()["read"]) == (3, 0)
    else:
        assert reach.status_code == 404


def post(personas, persona, **fields):
    body = {"scope": "class", "class_id": personas.homeroom5.pk, "title": "Picture day"}
    body |= {"body": "Picture day is on Tuesday."}
    body.update(fields)
    return api_client_for(getattr(personas, persona)).post(
        BASE, body, content_type="application/json"
    )


def test_a_teacher_sends_to_their_class(personas):
    response = post(personas, "rivera")
    assert response.status_code == 201
    created = response.json()
    assert created["recipients"] == 1
    assert created["sent_at"] is not None
    assert Announcement.objects.get().author == personas.rivera


@pytest.mark.parametrize("persona", ["sam", "jordan", "ada", "library", "eve", "stone", "chen"])
def test_a_class_one_may_not_announce_to_answers_404(personas, persona):
    response = post(personas, persona)
    assert response.status_code == 404
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    ("persona", "fields", "field"),
    [
        ("rivera", {"title": ""}, "title"),
        ("rivera", {"body": " "}, "body"),
        ("rivera", {"to_staff": True}, "to_staff"),
        ("rivera", {"urgent": True}, "urgent"),
        ("rivera", {"to_families": False}, "to_families"),
        ("rivera", {"class_id": None}, "class_id"),
        ("rivera", {"send_at": "2001-01-01T10:00:00Z"}, "send_at"),
        ("nguyen", {"scope": "grade", "school_id": None}, "school_id"),
        ("priya", {"scope": "district", "class_id": None}, "district_id"),
    ],
)
def test_bad_input_answers_422_naming_the_field(personas, persona, fields, field):
    response = post(personas, persona, **fields)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not Announcement.objects.exists()


def test_a_school_admin_schedules_a_pinned_grade_announcement(personas):
    later = timezone.now() + dt.timedelta(days=10)
    response = post(
        personas,
        "nguyen",
        scope="grade",
        school_id=personas.school.pk,
        grade="5",
        send_at=later.isoformat(),
        pinned_until=(later + dt.timedelta(days=7)).date().isoformat(),
    )
    assert response.status_code == 201
    created = response.json()
    assert created["sent_at"] is None
    assert created["audience"] == "Families of Grade 5, Riverside K-8 School"


def test_a_time_more_than_a_year_ahead_is_refused(personas):
    response = post(personas, "rivera", send_at="2099-01-05T15:00:00Z")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "send_at"


# --- with files (multipart) ----------------------------------------------------------------------


def post_files(personas, persona, files, **fields):
    body = {"scope": "class", "class_id": personas.homeroom5.pk, "title": "Field trip form"}
    body |= {"body": "The form for Thursday's trip is attached."}
    body.update(fields)
    return api_client_for(getattr(personas, persona)).post(
        f"{BASE}/with-files", {**body, "attachments": files}
    )


def pdf(name: str = "trip-form.pdf", content: bytes = b"%PDF-1.4\n%trip\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_teacher_sends_a_file_and_the_family_downloads_it(personas):
    response = post_files(personas, "rivera", [pdf()])
    assert response.status_code == 201
    announcement = Announcement.objects.get()
    assert announcement.author == personas.rivera
    opened = api_client_for(personas.sam).get(f"{BASE}/{announcement.pk}").json()
    (file,) = opened["files"]
    assert file["name"] == "trip-form.pdf"
    download = client_for(personas.sam).get(f"/announcements/{announcement.pk}/files/{file['id']}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    other = client_for(personas.eve).get(f"/announcements/{announcement.pk}/files/{file['id']}/")
    assert other.status_code == 404


def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_sent(personas):
    response = post_files(personas, "rivera", [pdf(content=b"MZ\x90\x00 a program")])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "attachments"
    assert not Announcement.objects.exists()


def test_too_many_files_are_refused(personas):
    files = [pdf(f"page-{n}.pdf") for n in range(MAX_ATTACHMENTS + 1)]
    response = post_files(personas, "rivera", files)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "attachments"
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("persona", ["sam", "ada", "eve", "chen"])
def test_with_files_a_class_one_may_not_announce_to_answers_404(personas, persona):
    assert post_files(personas, persona, [pdf()]).status_code == 404
    assert not Announcement.objects.exists()


def test_with_files_bad_fields_name_the_field(personas):
    response = post_files(personas, "rivera", [pdf()], title="")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "title"
