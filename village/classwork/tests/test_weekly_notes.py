"""The teacher's weekly note: one line per student, class and week on what to work on next,
written from the gradebook (a one-line form in the cell with htmx, a page without) or the API.
Who may write it is in ``tests/test_authorization_digest.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from village.accounts.models import User
from village.accounts.tokens import token_create
from village.classwork.models import WeeklyNote
from village.classwork.selectors.notes import note_week
from village.classwork.services.notes import NOTE_LENGTH, weekly_note_save
from village.classwork.tests.factories import assignment
from village.demo.personas import Personas
from village.families.models import StudentVersion

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def note_path(p: Personas) -> str:
    return f"/work/classes/{p.science8.pk}/notes/{p.leo.pk}/"


def test_a_note_is_one_per_class_student_and_week(personas: Personas) -> None:
    p = personas
    before = StudentVersion.objects.filter(student=p.leo).values_list("token", flat=True).first()
    note = weekly_note_save(
        school_class=p.science8, student=p.leo, author=p.rivera, text="  Balance the equations. "
    )
    assert note is not None
    assert (note.text, note.week_start, note.author) == (
        "Balance the equations.",
        note_week(),
        p.rivera,
    )
    weekly_note_save(school_class=p.science8, student=p.leo, author=p.rivera, text="Read ch. 4.")
    assert list(WeeklyNote.objects.values_list("text", flat=True)) == ["Read ch. 4."]
    last_week = timezone.now() - dt.timedelta(days=7)
    weekly_note_save(
        school_class=p.science8, student=p.leo, author=p.rivera, text="Older.", now=last_week
    )
    assert WeeklyNote.objects.count() == 2
    # the family's pages are kept by version: a note gives Leo a new one
    after = StudentVersion.objects.filter(student=p.leo).values_list("token", flat=True).first()
    assert after != before
    assert (
        weekly_note_save(school_class=p.science8, student=p.leo, author=p.rivera, text="") is None
    )
    assert list(WeeklyNote.objects.values_list("text", flat=True)) == ["Older."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * (NOTE_LENGTH + 1), "Keep the note to 280 characters (it has 281)."),
        ("Two\nlines", "Write this on one line"),
    ],
)
def test_a_long_or_broken_note_is_refused_naming_the_field(personas, text, message) -> None:
    p = personas
    weekly_note_save(school_class=p.science8, student=p.leo, author=p.rivera, text="Kept.")
    with pytest.raises(ValidationError) as refused:
        weekly_note_save(school_class=p.science8, student=p.leo, author=p.rivera, text=text)
    assert message in refused.value.message_dict["text"][0]
    assert list(WeeklyNote.objects.values_list("text", flat=True)) == ["Kept."]


def test_the_gradebook_has_a_note_per_student_for_the_teacher(personas: Personas) -> None:
    p = personas
    assignment(p.science8, "Lab report")
    weekly_note_save(school_class=p.science8, student=p.leo, author=p.rivera, text="Label axes.")
    page = client_for(p.rivera).get(f"/work/classes/{p.science8.pk}/gradebook/").content.decode()
    assert "This week&#x27;s note" in page or "This week's note" in page
    assert f'id="note-{p.leo.pk}"' in page
    assert "Label axes." in page
    assert f'href="{note_path(p)}"' in page
    # the school's admin sees the gradebook, but the notes are the class's teachers' own
    admin = client_for(p.nguyen).get(f"/work/classes/{p.science8.pk}/gradebook/").content.decode()
    assert "Label axes." not in admin
    assert "note-" not in admin


def test_htmx_opens_the_form_in_the_cell_and_saving_puts_the_cell_back(personas) -> None:
    p = personas
    client = client_for(p.rivera)
    form = client.get(note_path(p), headers=HTMX)
    html = form.content.decode()
    assert form.status_code == 200
    assert "<html" not in html
    assert 'name="text"' in html
    assert "autofocus" in html
    assert "HX-Request" in form["Vary"]
    saved = client.post(note_path(p), {"text": "Check units."}, headers=HTMX)
    assert "Check units." in saved.content.decode()
    assert 'class="gb-note-link"' in saved.content.decode()
    assert WeeklyNote.objects.get().text == "Check units."
    back = client.get(note_path(p) + "?cancel=1", headers=HTMX)
    assert "Check units." in back.content.decode()


def test_without_javascript_the_note_has_a_page_of_its_own(personas) -> None:
    p = personas
    client = client_for(p.rivera)
    page = client.get(note_path(p))
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    saved = client.post(note_path(p), {"text": "Check units."})
    assert saved.status_code == 302
    assert saved["Location"] == f"/work/classes/{p.science8.pk}/gradebook/#note-{p.leo.pk}"


def test_a_refused_note_shows_why_and_changes_nothing(personas) -> None:
    p = personas
    client = client_for(p.rivera)
    weekly_note_save(school_class=p.science8, student=p.leo, author=p.rivera, text="Kept.")
    in_cell = client.post(note_path(p), {"text": "x" * 300}, headers=HTMX)
    assert in_cell.status_code == 200
    assert 'aria-invalid="true"' in in_cell.content.decode()
    page = client.post(note_path(p), {"text": "x" * 300}).content.decode()
    assert "There is a problem" in page
    assert "What to work on next" in page
    assert WeeklyNote.objects.get().text == "Kept."


def api(user: User) -> Client:
    _token, secret = token_create(user=user, name="tests")
    return Client(headers={"authorization": f"Bearer {secret}"})


def put(client: Client, p: Personas, body: Any, student: User | None = None) -> Any:
    student = student or p.leo
    path = f"/api/v1/classwork/classes/{p.science8.pk}/students/{student.pk}/weekly-note"
    return client.put(path, body, content_type="application/json")


def test_the_api_writes_and_lists_this_weeks_notes(personas: Personas) -> None:
    p = personas
    client = api(p.rivera)
    answer = put(client, p, {"text": "Revise the glossary."})
    assert answer.status_code == 200
    assert answer.json()["text"] == "Revise the glossary."
    assert answer.json()["week_start"] == note_week().isoformat()
    listed = client.get(f"/api/v1/classwork/classes/{p.science8.pk}/weekly-notes").json()
    assert [(one["student_id"], one["text"]) for one in listed] == [
        (p.leo.pk, "Revise the glossary.")
    ]
    refused = put(client, p, {"text": "x" * 281})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "payload", "text"]
    assert put(client, p, {"text": "a\nb"}).status_code == 422
    assert put(client, p, {"text": "Ada is not here."}, student=p.ada).status_code == 404
    assert WeeklyNote.objects.get().text == "Revise the glossary."
    assert put(client, p, {"text": ""}).json()["text"] == ""
    assert not WeeklyNote.objects.exists()


def test_the_family_reads_the_note_on_the_childs_page(personas: Personas) -> None:
    p = personas
    weekly_note_save(school_class=p.science8, student=p.leo, author=p.rivera, text="Label axes.")
    page = client_for(p.jordan).get(f"/family/children/{p.leo.pk}/").content.decode()
    assert "Label axes." in page
    assert "Elena Rivera" in page
    other = client_for(p.sam).get(f"/family/children/{p.ada.pk}/").content.decode()
    assert "Label axes." not in other
