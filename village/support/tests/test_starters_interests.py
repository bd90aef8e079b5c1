"""The profile's interests in the family's conversation starters: Sam (Spanish, with the
support-plan area) reads Ada's own words quoted, marked as English, on Ada's page and in the weekly
digest; Kim (no support-plan area), Rex (``no_access``) and other families never do; entries kept
for staff or restricted never feed a starter; a changed interest shows at once on a kept page;
one query for all the children, and pages and digests cost the same with interests or without."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ModuleData, each_test
from village.accounts.models import User
from village.classwork.family import interests
from village.demo.personas import Personas
from village.notifications import digest
from village.support.models import Entry, Topic, Visibility
from village.support.services.entries import entry_remove, entry_save
from village.support.tests.conftest import Support, build_support

pytestmark = pytest.mark.django_db

MAPS = (
    "I love drawing maps. On Saturdays I play football with my cousins and we keep score in a "
    "notebook."
)
QUOTED = '“<span lang="en">I love drawing maps…</span>”'
STAFF_ONLY = "Chess club at lunch, staff only"
RESTRICTED = "Restricted hobby for the counsellor"


@dataclass
class World:
    """The support tests' people; Ada's "about me" interest shared with the family; Leo's
    interests kept for staff (his own) and restricted to Ms. Rivera (Sam's)."""

    support: Support
    maps: Entry


def build_world(people: Personas) -> World:
    support = build_support(people)
    maps = entry_save(
        author=people.ada, student=people.ada, topic=Topic.INTERESTS, text=MAPS, language="en"
    )
    entry_save(
        author=people.leo,
        student=people.leo,
        topic=Topic.INTERESTS,
        text=STAFF_ONLY,
        visibility=Visibility.STAFF,
    )
    entry_save(
        author=people.sam,
        student=people.leo,
        topic=Topic.HOME_INTERESTS,
        text=RESTRICTED,
        visibility=Visibility.RESTRICTED,
        readers=[people.rivera],
    )
    return World(support, maps)


@pytest.fixture(scope="module")
def _world(module_data: ModuleData | None) -> World | None:
    return module_data.build(build_world) if module_data else None


@pytest.fixture
def world(personas: Personas, _world: World | None) -> World:
    return each_test(_world, personas, build_world)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def child_page(user: User, child: User, status: int = 200) -> str:
    response = client_for(user).get(reverse("families:child", args=[child.pk]))
    assert response.status_code == status
    return response.content.decode()


def starters_of(html: str) -> str:
    start = html.index('aria-labelledby="starters-heading"')
    return html[start : html.index("</section>", start)]


def test_sam_reads_adas_words_in_a_spanish_starter_marked_as_english(world: World) -> None:
    people = world.support.people
    starters = starters_of(child_page(people.sam, people.ada))
    assert QUOTED in starters
    assert "Sobre mí" in starters
    assert "Pregúntele" in starters
    assert '<ul class="fam-starters">' in starters  # not the empty section's sentence


def test_kim_rex_and_other_families_never_read_them(world: World) -> None:
    support, people = world.support, world.support.people
    assert "drawing maps" not in child_page(support.kim, people.ada)
    child_page(support.rex, people.ada, status=404)
    for reader, child in [
        (support.kim, people.ada),
        (support.rex, people.ada),
        (support.lou, people.ada),
        (people.jordan, people.leo),
        (people.olga, people.ada),
        (people.eve, people.ada),
    ]:
        assert interests.for_reader(reader, [child.pk]) == {}, reader.username
    (shared,) = interests.for_families([people.ada.pk])[people.ada.pk]
    assert shared.readers == {people.sam.pk}


def test_interests_kept_for_staff_or_restricted_never_feed_a_starter(world: World) -> None:
    people = world.support.people
    html = child_page(people.sam, people.leo)
    assert STAFF_ONLY not in html
    assert RESTRICTED not in html
    assert interests.for_reader(people.sam, [people.leo.pk]) == {}
    assert interests.for_families([people.leo.pk]) == {}


def test_the_childs_words_come_before_the_familys(world: World) -> None:
    people = world.support.people
    entry_save(
        author=people.sam,
        student=people.ada,
        topic=Topic.HOME_INTERESTS,
        text="Cocina con su abuela.",
        language="es",
    )
    found = interests.for_reader(people.sam, [people.ada.pk, people.leo.pk])
    assert [(one.text, one.language, one.by_child) for one in found[people.ada.pk]] == [
        (MAPS, "en", True),
        ("Cocina con su abuela.", "es", False),
    ]
    assert list(found) == [people.ada.pk]
    batch = interests.for_families([people.ada.pk, people.leo.pk])
    assert interests.read_by(batch, people.sam.pk, people.ada.pk) == found[people.ada.pk]
    assert interests.read_by(batch, world.support.kim.pk, people.ada.pk) == []


def test_a_changed_interest_shows_at_once_on_the_kept_page(world: World) -> None:
    people = world.support.people
    assert QUOTED in child_page(people.sam, people.ada)  # now kept
    entry_save(
        author=people.ada,
        student=people.ada,
        topic=Topic.INTERESTS,
        text="Volcanoes",
        language="en",
    )
    html = child_page(people.sam, people.ada)
    assert '“<span lang="en">Volcanoes</span>”' in html
    assert "drawing maps" not in html
    entry_save(
        author=people.ada,
        student=people.ada,
        topic=Topic.INTERESTS,
        text="Volcanoes",
        language="en",
        visibility=Visibility.STAFF,
    )
    assert "Volcanoes" not in child_page(people.sam, people.ada)


def test_the_digest_starter_quotes_the_interest_for_sam_only(world: World) -> None:
    support, people = world.support, world.support.people
    sam = digest.preview(people.sam)
    assert sam is not None
    assert QUOTED in str(sam.body)
    assert "Sobre mí" in sam.text
    assert "“I love drawing maps…”" in sam.text
    for guardian in (support.kim, people.jordan):
        composed = digest.preview(guardian)
        assert composed is not None
        for text in ("drawing maps", STAFF_ONLY, RESTRICTED):
            assert text not in str(composed.body) + composed.text, guardian.username


def _page_queries(client: Client, child: User) -> int:
    caches["pages"].clear()
    with CaptureQueriesContext(connection) as found:
        assert client.get(reverse("families:child", args=[child.pk])).status_code == 200
    return len(found)


def _digest_queries(guardians: list[User]) -> int:
    with CaptureQueriesContext(connection) as found:
        assert len(digest.previews(guardians)) == len(guardians)
    return len(found)


def test_pages_and_digests_cost_the_same_with_interests_or_without(
    world: World, django_assert_num_queries
) -> None:
    support, people = world.support, world.support.people
    children = [people.ada.pk, people.leo.pk, people.maya.pk]
    with django_assert_num_queries(1):
        interests.for_reader(people.sam, children)
    with django_assert_num_queries(1):
        interests.for_families(children)
    sam = client_for(people.sam)
    sam.get(reverse("families:child", args=[people.ada.pk]))  # the first visit's own reads
    with_interest = _page_queries(sam, people.ada)
    few = _digest_queries([people.sam])
    many = _digest_queries([people.sam, support.kim, people.jordan])
    entry_remove(author=people.ada, entry=world.maps)
    assert _page_queries(sam, people.ada) == with_interest
    assert _digest_queries([people.sam]) == few
    assert many == few
