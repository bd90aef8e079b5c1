"""Authorization matrix for the student profile's pages and API: every persona x every page and
endpoint, written out by hand.

Ada's profile holds her *about me*, Sam's *from home*, Mr. Diaz's school note shared with the
family, Ms. Rivera's note for staff and her restricted note naming Ms. Ortiz (a counsellor);
two accommodations in force (one shared with the family, one for staff) and one that ended.
Who opens the profile reads exactly what the policy gives them; everyone else gets a 404 (the
sign-in page or a 401 when signed out) and never a word of it. Those who read the profile but
may not write a section or set accommodations get a 403; every view of the restricted note is
audited.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import ModuleData, each_test
from tests.authorization import api_client_for, client_for
from village.accounts.models import User
from village.community.policies import today
from village.core.models import AuditEvent
from village.demo.personas import Personas
from village.support.models import Accommodation, Entry, Topic, Visibility
from village.support.selectors.profile import RESTRICTED_ENTRY_OBJECT
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.tests.conftest import Support, build_support

pytestmark = pytest.mark.django_db

API = "/api/v1/support"

ABOUT = "Ada likes maps of rivers."
HOME = "Sam says: stories at bedtime."
SHARED = "Diaz shared: explains her thinking."
STAFF_NOTE = "Rivera for staff: needs checklists."
SECRET = "Restricted: family going through a hard time."
FAMILY_TEXTS = {ABOUT, HOME, SHARED}
STAFF_TEXTS = FAMILY_TEXTS | {STAFF_NOTE}
EVERY_TEXT = STAFF_TEXTS | {SECRET}
IN_FORCE = {"Extended time"}
STAFF_ONLY = {"Check-in card"}
ENDED = {"Read-aloud"}

#: Each persona: who they are to Ada.
PERSONAS = {
    "ada": "the student herself",
    "maya": "another student of her class",
    "sam": "her guardian, the link allowing the support plan",
    "kim": "her guardian, the link without the support plan",
    "rex": "her guardian, the link giving no access",
    "lou": "her guardian, the link ended",
    "olga": "the guardian of another child (at the sister school)",
    "eve": "the guardian of another child (in another district)",
    "rivera": "her teacher, who wrote the restricted note",
    "chen": "a teacher of another class at her school",
    "vance": "her teacher until yesterday",
    "diaz": "an aide of her class",
    "bakr": "a counsellor on the support team, not named",
    "ortiz": "a counsellor on the support team, named on the restricted note",
    "nguyen": "the admin of her school",
    "priya": "the admin of her district",
    "park": "a teacher of another school",
    "stone": "a teacher of another district",
    "library": "a community partner",
}

#: What each reader of the profile reads (everyone else: a 404).
READS: dict[str, set[str]] = {
    "ada": FAMILY_TEXTS,
    "sam": FAMILY_TEXTS,
    "rivera": EVERY_TEXT,  # the author of the restricted note
    "ortiz": EVERY_TEXT,  # named on it
    **dict.fromkeys(["diaz", "bakr", "nguyen", "priya"], STAFF_TEXTS),
}
STAFF = {"rivera", "diaz", "bakr", "ortiz", "nguyen", "priya"}
#: The section each persona may write (readers not named: none, a 403).
WRITES = {"ada": "about_me", "sam": "from_home", **dict.fromkeys(STAFF, "school_notes")}
#: Who sets accommodations: the school's admins (the district's too) and its support team.
MANAGERS = {"bakr", "ortiz", "nguyen", "priya"}
#: A topic of each section no one has written yet.
TOPICS = {
    "about_me": Topic.STRENGTHS,
    "from_home": Topic.WORKS_AT_HOME,
    "school_notes": Topic.OBSERVED_STRENGTHS,
}


@dataclass
class Profile:
    support: Support
    ended: Accommodation

    @property
    def ada(self) -> User:
        return self.support.people.ada


def _accommodation(support: Support, title: str, **fields: Any) -> Accommodation:
    return accommodation_add(
        author=support.people.nguyen,
        student=support.people.ada,
        fields=AccommodationFields(category="timing", title=title, **fields),
    )


def build_profile(people: Personas) -> Profile:
    support = build_support(people)
    p = support.people
    for author, topic, text, visibility in [
        (p.ada, Topic.INTERESTS, ABOUT, None),
        (p.sam, Topic.HOME_INTERESTS, HOME, None),
        (p.rivera, Topic.NEEDS, STAFF_NOTE, Visibility.STAFF),
        (support.diaz, Topic.OBSERVED_STRENGTHS, SHARED, Visibility.FAMILY),
    ]:
        entry_save(author=author, student=p.ada, topic=topic, text=text, visibility=visibility)
    entry_save(
        author=p.rivera,
        student=p.ada,
        topic=Topic.OBSERVED_STRENGTHS,
        text=SECRET,
        visibility=Visibility.RESTRICTED,
        readers=[support.ortiz],
    )
    start = today() - dt.timedelta(days=30)
    _accommodation(support, "Extended time", starts_on=start)
    _accommodation(support, "Check-in card", starts_on=start, visibility=Visibility.STAFF)
    ended = _accommodation(
        support, "Read-aloud", starts_on=start, ends_on=today() - dt.timedelta(days=1)
    )
    return Profile(support, ended)


@pytest.fixture(scope="module")
def _built(module_data: ModuleData | None) -> Profile | None:
    """Built once for the module, each test working on its own copy (``ModuleData``)."""
    return module_data.build(build_profile) if module_data else None


@pytest.fixture
def profile(personas: Personas, _built: Profile | None) -> Profile:
    return each_test(_built, personas, build_profile)


def person(profile: Profile, name: str) -> User:
    found = getattr(profile.support, name, None) or getattr(profile.support.people, name)
    assert isinstance(found, User)
    return found


def _none_of_it(content: bytes) -> bool:
    text = content.decode()
    return not any(words in text for words in EVERY_TEXT) and "Extended time" not in text


# --- the pages ------------------------------------------------------------------------------------


def _expected_pages(name: str) -> dict[str, int]:
    opens = name in READS
    writes = WRITES.get(name)
    manages = 200 if name in MANAGERS else 403
    return {
        "profile": 200 if opens else 404,
        **{
            f"write {section}": (200 if writes == section else 403) if opens else 404
            for section in TOPICS
        },
        "new accommodation": manages if opens else 404,
    }


def _pages(profile: Profile) -> dict[str, str]:
    ada = profile.ada.pk
    return {
        "profile": reverse("support:profile", args=[ada]),
        **{
            f"write {section}": reverse("support:entry_write", args=[ada, topic])
            for section, topic in TOPICS.items()
        },
        "new accommodation": reverse("support:accommodation_new", args=[ada]),
    }


def _restricted_views(who: User, channel: str) -> int:
    return AuditEvent.objects.filter(
        actor=who, object_type=RESTRICTED_ENTRY_OBJECT, channel=channel
    ).count()


@pytest.mark.parametrize("name", list(PERSONAS))
def test_every_profile_page_for_every_persona(profile: Profile, name: str) -> None:
    who = person(profile, name)
    client = client_for(who)
    expected = _expected_pages(name)
    answers = {page: client.get(path) for page, path in _pages(profile).items()}
    for page, answer in answers.items():
        assert answer.status_code == expected[page], (name, page)
        if answer.status_code != 200:
            assert _none_of_it(answer.content), (name, page)
    html = answers["profile"].content.decode()
    assert {words for words in EVERY_TEXT if words in html} == READS.get(name, set()), name
    shown = {title for title in IN_FORCE | STAFF_ONLY | ENDED if title in html}
    in_force = IN_FORCE | (STAFF_ONLY if name in STAFF else set())
    assert shown == (in_force if name in READS else set()), name
    assert _restricted_views(who, "web") == (SECRET in READS.get(name, set())), name
    # Nobody removes another's entry, and only the managers end an accommodation.
    others = Entry.objects.exclude(author=who).filter(
        topic__in=[Topic.INTERESTS, Topic.HOME_INTERESTS]
    )
    answer = client.post(reverse("support:entry_remove", args=[others[0].pk]))
    assert answer.status_code == 404, name
    assert Entry.objects.count() == 5
    extended = Accommodation.objects.get(title="Extended time")
    answer = client.post(reverse("support:accommodation_end", args=[extended.pk]))
    assert answer.status_code == (302 if name in MANAGERS else 404), name
    extended.refresh_from_db()
    assert (extended.ends_on == today()) is (name in MANAGERS), name


def test_signed_out_visitors_are_sent_to_sign_in(profile: Profile) -> None:
    for page, path in _pages(profile).items():
        answer = Client().get(path)
        assert answer.status_code == 302, page
        assert answer["Location"].startswith("/accounts/login/"), page


# --- the API --------------------------------------------------------------------------------------


def call(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    if method in ("get", "delete"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, json.dumps(body or {}), content_type="application/json")


def endpoints(profile: Profile) -> dict[str, tuple[str, str, dict[str, Any] | None]]:
    ada = profile.ada.pk
    return {
        "profile": ("get", f"{API}/students/{ada}/profile", None),
        "accommodations": ("get", f"{API}/students/{ada}/accommodations", None),
        **{
            f"write {section}": (
                "put",
                f"{API}/students/{ada}/entries/{topic}",
                {"text": f"New words on {topic}."},
            )
            for section, topic in TOPICS.items()
        },
        "remove about me": ("delete", f"{API}/students/{ada}/entries/{Topic.INTERESTS}", None),
        "add accommodation": (
            "post",
            f"{API}/students/{ada}/accommodations",
            {"category": "setting", "title": "Seat near the door", "starts_on": str(today())},
        ),
        "end accommodation": (
            "patch",
            f"{API}/accommodations/{profile.ended.pk}",
            {"ends_on": str(today())},
        ),
    }


def _expected_api(name: str) -> dict[str, int]:
    opens = name in READS
    writes = WRITES.get(name)
    return {
        "profile": 200 if opens else 404,
        "accommodations": 200 if opens else 404,
        **{
            f"write {section}": (200 if writes == section else 403) if opens else 404
            for section in TOPICS
        },
        "remove about me": 204 if name == "ada" else 404,
        "add accommodation": (201 if name in MANAGERS else 403) if opens else 404,
        "end accommodation": 200 if name in MANAGERS else 404,
    }


def _check_profile(name: str, found: dict[str, Any]) -> None:
    """The profile the API gave ``name``: exactly what the policy gives them."""
    assert {entry["text"] for entry in found["entries"]} == READS[name], name
    titles = {accommodation["title"] for accommodation in found["accommodations"]}
    assert titles == IN_FORCE | ENDED | (STAFF_ONLY if name in STAFF else set()), name
    assert found["writes"] == [WRITES[name]], name
    assert found["manages_accommodations"] is (name in MANAGERS), name


@pytest.mark.parametrize("name", list(PERSONAS))
def test_every_endpoint_for_every_persona(profile: Profile, name: str) -> None:
    who = person(profile, name)
    api = api_client_for(who)
    listed = call(api, "get", f"{API}/students").json()["items"]
    assert (profile.ada.pk in {item["id"] for item in listed}) is (name in READS), name
    expected = _expected_api(name)
    for endpoint, (method, path, body) in endpoints(profile).items():
        answer = call(api, method, path, body)
        assert answer.status_code == expected[endpoint], (name, endpoint, answer.content)
        if answer.status_code in (403, 404):
            assert _none_of_it(answer.content), (name, endpoint)
            assert set(answer.json()) == {"detail"}, (name, endpoint)
        elif endpoint == "profile":
            _check_profile(name, answer.json())
    assert _restricted_views(who, "api") == (SECRET in READS.get(name, set())), name


def test_signed_out_callers_get_401_everywhere(profile: Profile) -> None:
    for endpoint, (method, path, body) in endpoints(profile).items():
        assert call(Client(), method, path, body).status_code == 401, endpoint
    assert Client().get(f"{API}/students").status_code == 401
