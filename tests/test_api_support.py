"""Student profiles in the JSON API (``/api/v1/support``): a profile as its reader reads it, each
entry with its author, language and visibility, in the reader's language once translated; one's
own entry written, changed and removed; accommodations listed, added and changed; bad input
answered 422 naming the field, with nothing changed. Who may do what, persona by persona, is
``test_authorization_support``'s."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from conftest import ModuleData, each_test
from tests.authorization import api_client_for
from village.accounts.models import User
from village.community.policies import today
from village.core.models import AuditEvent
from village.demo.personas import Personas
from village.support.models import Accommodation, Entry, Topic, Visibility
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.tests.conftest import Support, build_support
from village.translation import worker
from village.translation.tests.fakes import CountingEngine

pytestmark = pytest.mark.django_db

API = "/api/v1/support"
HOME = "Le gusta cocinar con su abuela."


@pytest.fixture(scope="module")
def _built(module_data: ModuleData | None) -> Support | None:
    return module_data.build(build_support) if module_data else None


@pytest.fixture
def support(personas: Personas, _built: Support | None) -> Support:
    return each_test(_built, personas, build_support)


@pytest.fixture
def engine(settings: Settings) -> Iterator[type[CountingEngine]]:
    """Our own engine: Spanish into English in capitals."""
    settings.VILLAGE_TRANSLATION_ENGINES = ["village.translation.tests.fakes.CountingEngine"]
    CountingEngine.calls = []
    yield CountingEngine
    CountingEngine.calls = []


def call(user: User, method: str, path: str, body: Any = None) -> Any:
    client = api_client_for(user)
    if method in ("get", "delete"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def profile_of(user: User, student: User) -> dict[str, Any]:
    answer = call(user, "get", f"{API}/students/{student.pk}/profile")
    assert answer.status_code == 200, answer.content
    found: dict[str, Any] = answer.json()
    return found


def entry_path(student: User, topic: Topic) -> str:
    return f"{API}/students/{student.pk}/entries/{topic}"


def by_topic(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["topic"]: entry for entry in found["entries"]}


def fields_of(answer: Any) -> list[str]:
    assert answer.status_code == 422, answer.content
    return [error["loc"][-1] for error in answer.json()["detail"]]


# --- reading ------------------------------------------------------------------------------------


def test_a_profile_shows_each_entry_as_written_and_in_the_readers_language_once_translated(
    support: Support, engine: type[CountingEngine]
) -> None:
    people = support.people
    entry_save(author=people.sam, student=people.ada, topic=Topic.CULTURE, text=HOME)
    entry_save(
        author=people.rivera,
        student=people.ada,
        topic=Topic.NEEDS,
        text="Check in on Mondays.",
        visibility=Visibility.RESTRICTED,
        readers=[support.ortiz],
    )
    home = by_topic(profile_of(support.ortiz, people.ada))["culture"]
    assert home["section"] == "from_home"
    assert home["author"] == {"id": people.sam.pk, "name": "Sam Okoye"}
    assert home["author_role"] == "guardian"
    assert (home["language"], home["visibility"], home["text"]) == ("es", "family", HOME)
    assert (home["translation"], home["translation_pending"]) == (None, True)

    worker.run()  # what the worker does in the background
    entries = by_topic(profile_of(support.ortiz, people.ada))
    translated = {"text": HOME.upper(), "language": "en", "uncertain": []}
    assert entries["culture"]["translation"] == translated
    assert entries["culture"]["translation_pending"] is False
    assert entries["culture"]["text"] == HOME  # the original, always
    note = entries["needs"]
    assert (note["author_role"], note["visibility"]) == ("staff", "restricted")
    assert note["readers"] == [{"id": support.ortiz.pk, "name": "Ana Ortiz"}]
    assert (note["translation"], note["translation_pending"]) == (None, False)  # English
    for_sam = by_topic(profile_of(people.sam, people.ada))
    assert list(for_sam) == ["culture"]  # his own words, in his language: no translation
    assert for_sam["culture"]["translation"] is None


def test_the_profile_reads_a_constant_number_of_queries(support: Support) -> None:
    people = support.people
    client = api_client_for(support.ortiz)
    path = f"{API}/students/{people.ada.pk}/profile"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    entry_save(author=people.sam, student=people.ada, topic=Topic.CULTURE, text=HOME)
    count()  # the token's first use is noted once
    few = count()
    for author, topic in [(people.ada, Topic.STRENGTHS), (people.sam, Topic.CONCERNS)]:
        entry_save(author=author, student=people.ada, topic=topic, text="Más palabras.")
    entry_save(
        author=people.rivera,
        student=people.ada,
        topic=Topic.NEEDS,
        text="Check in on Mondays.",
        visibility=Visibility.RESTRICTED,
        readers=[support.ortiz, support.bakr],
    )
    accommodation_add(
        author=people.nguyen,
        student=people.ada,
        fields=AccommodationFields(category="timing", title="Extended time", starts_on=today()),
    )
    assert count() == few


def test_the_students_listed_are_those_whose_profile_the_caller_opens(support: Support) -> None:
    people = support.people
    listed = call(people.rivera, "get", f"{API}/students?limit=2").json()
    assert listed["count"] == 3  # Maya Lopez, Ada and Leo Okoye: her classes' students
    assert [item["name"] for item in listed["items"]] == ["Maya Lopez", "Ada Okoye"]
    assert listed["items"][1] == {"id": people.ada.pk, "name": "Ada Okoye", "grade": "5"}
    shown = AuditEvent.objects.filter(actor=people.rivera, channel="api")
    assert sorted(shown.values_list("student_id", flat=True)) == sorted(
        [people.maya.pk, people.ada.pk]
    )
    for_sam = call(people.sam, "get", f"{API}/students").json()["items"]
    assert [item["name"] for item in for_sam] == ["Ada Okoye", "Leo Okoye"]
    assert call(people.jordan, "get", f"{API}/students").json() == {"items": [], "count": 0}


# --- one's own entries --------------------------------------------------------------------------


def test_a_student_writes_changes_and_removes_her_own_entry(support: Support) -> None:
    ada = support.people.ada
    path = entry_path(ada, Topic.STRENGTHS)
    written = call(ada, "put", path, {"text": "Soy paciente.", "language": "es"})
    assert written.status_code == 200
    found = written.json()
    assert (found["section"], found["author_role"], found["visibility"]) == (
        "about_me",
        "student",
        "family",
    )
    changed = call(ada, "put", path, {"text": "Soy muy paciente."}).json()
    assert (changed["id"], changed["language"]) == (found["id"], "es")  # kept
    assert Entry.objects.get(pk=found["id"]).text == "Soy muy paciente."
    assert call(ada, "delete", path).status_code == 204
    assert not Entry.objects.filter(pk=found["id"]).exists()
    assert call(ada, "delete", path).status_code == 404


def test_a_guardian_writes_from_home_in_his_own_language(support: Support) -> None:
    sam = support.people.sam
    found = call(sam, "put", entry_path(support.people.ada, Topic.CULTURE), {"text": HOME}).json()
    assert (found["language"], found["author_role"]) == ("es", "guardian")


def test_a_restricted_note_names_only_the_students_current_staff(support: Support) -> None:
    people = support.people
    path = entry_path(people.ada, Topic.NEEDS)
    body = {"text": "Check in on Mondays.", "visibility": "restricted"}
    found = call(people.rivera, "put", path, {**body, "reader_ids": [support.ortiz.pk]}).json()
    assert [reader["name"] for reader in found["readers"]] == ["Ana Ortiz"]
    for others in ([people.eve.pk], [support.vance.pk], [support.ortiz.pk, 10**12]):
        answer = call(people.rivera, "put", path, {**body, "text": "Changed", "reader_ids": others})
        assert fields_of(answer) == ["reader_ids"]
        assert "Walsh" not in answer.content.decode()  # an id says nothing of who it is
        assert "Vance" not in answer.content.decode()
    assert fields_of(call(people.rivera, "put", path, body)) == ["reader_ids"]  # nobody named
    shared = {"text": "Changed", "visibility": "family", "reader_ids": [support.ortiz.pk]}
    assert fields_of(call(people.rivera, "put", path, shared)) == ["reader_ids"]
    assert Entry.objects.get(author=people.rivera).text == "Check in on Mondays."


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(support: Support) -> None:
    ada = support.people.ada
    path = entry_path(ada, Topic.STRENGTHS)
    assert fields_of(call(ada, "put", path, {"text": "  "})) == ["text"]
    assert fields_of(call(ada, "put", path, {"text": "x" * 2001})) == ["text"]
    assert fields_of(call(ada, "put", path, {"text": "Hi", "language": "klingon"})) == ["language"]
    assert fields_of(call(ada, "put", path, {"text": "Hi", "visibility": "everyone"})) == [
        "visibility"
    ]
    assert (
        call(ada, "put", f"{API}/students/{ada.pk}/entries/nope", {"text": "Hi"}).status_code == 422
    )
    assert call(ada, "put", path, ["not", "an", "object"]).status_code == 422
    assert not Entry.objects.exists()


def test_a_section_the_caller_may_not_write_is_a_403_and_changes_nothing(
    support: Support,
) -> None:
    people = support.people
    answer = call(people.sam, "put", entry_path(people.ada, Topic.NEEDS), {"text": "Hola"})
    assert answer.status_code == 403
    assert answer.json() == {"detail": "You may not write this part of the profile."}
    assert not Entry.objects.exists()


# --- accommodations ------------------------------------------------------------------------------


def _add(user: User, student: User, **body: Any) -> Any:
    fields = {"category": "timing", "title": "Extended time", "starts_on": str(today()), **body}
    return call(user, "post", f"{API}/students/{student.pk}/accommodations", fields)


def test_an_admin_adds_changes_and_ends_an_accommodation(support: Support) -> None:
    people = support.people
    added = _add(people.nguyen, people.ada, details="Half as long again.")
    assert added.status_code == 201
    found = added.json()
    assert (found["category"], found["in_force"], found["visibility"]) == (
        "timing",
        True,
        "family",
    )
    path = f"{API}/accommodations/{found['id']}"
    changed = call(support.ortiz, "patch", path, {"title": "Extra time", "details": None}).json()
    assert (changed["title"], changed["details"], changed["starts_on"]) == (
        "Extra time",
        "",
        str(today()),
    )
    tomorrow = today() + dt.timedelta(days=1)
    later = call(people.nguyen, "patch", path, {"starts_on": str(tomorrow)}).json()
    assert later["in_force"] is False  # to come
    ended = call(people.nguyen, "patch", path, {"starts_on": str(today()), "ends_on": str(today())})
    assert (ended.json()["ends_on"], ended.json()["in_force"]) == (str(today()), True)
    assert Accommodation.objects.get().ends_on == today()


def test_accommodation_input_is_checked_field_by_field(support: Support) -> None:
    people = support.people
    assert fields_of(_add(people.nguyen, people.ada, visibility="restricted")) == ["visibility"]
    before = today() - dt.timedelta(days=1)
    assert fields_of(_add(people.nguyen, people.ada, ends_on=str(before))) == ["ends_on"]
    assert fields_of(_add(people.nguyen, people.ada, title="Two\nlines")) == ["title"]
    assert not Accommodation.objects.exists()
    found = _add(people.nguyen, people.ada).json()
    path = f"{API}/accommodations/{found['id']}"
    assert fields_of(call(people.nguyen, "patch", path, {"title": None})) == ["title"]
    assert fields_of(call(people.nguyen, "patch", path, {"ends_on": str(before)})) == ["ends_on"]
    assert Accommodation.objects.get().title == "Extended time"


def test_the_family_lists_the_accommodations_shared_with_them_ended_ones_too(
    support: Support,
) -> None:
    people = support.people
    start = str(today() - dt.timedelta(days=10))
    _add(people.nguyen, people.ada, starts_on=start)
    _add(people.nguyen, people.ada, title="Read-aloud", starts_on=start, ends_on=start)
    _add(people.nguyen, people.ada, title="Check-in card", visibility="staff")
    path = f"{API}/students/{people.ada.pk}/accommodations"
    for_sam = call(people.sam, "get", path).json()
    assert [item["title"] for item in for_sam["items"]] == ["Extended time", "Read-aloud"]
    assert [item["in_force"] for item in for_sam["items"]] == [True, False]
    for_rivera = call(people.rivera, "get", f"{path}?limit=1").json()
    assert for_rivera["count"] == 3
    assert len(for_rivera["items"]) == 1
