"""Authorization matrix for the pages that build goal sets: every page and every change x every
persona, written out by hand. Ms. Rivera has a set for the grade-5 homeroom (with a piece of
linked work), Mr. Park one for his class at Oak Hill (the sister school), Ms. Stone one at
Lakeside (another district). A teacher changes the sets of the classes they teach; admins of the
school or the district see them and change nothing (403); anyone else gets a 404, never data;
anonymous visitors are sent to sign in."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from conftest import ModuleData, each_test
from tests.authorization import EVERYONE, client_for
from village.classwork.tests.factories import assignment
from village.demo.personas import Personas
from village.goals.services import sets
from village.goals.tests.factories import WeatherSet, weather_set

pytestmark = pytest.mark.django_db

STAFF = {"rivera", "chen", "park", "stone", "nguyen", "priya"}
RIVERSIDE_ADMINS = {"nguyen", "priya"}


@dataclass
class District:
    people: Personas
    rivera: WeatherSet
    park: WeatherSet
    stone: WeatherSet


def _build(personas: Personas) -> District:
    rivera = weather_set(personas.homeroom5, personas.rivera)
    work = assignment(personas.homeroom5, "Cloud diary")
    sets.assignment_link(goal=rivera.goals["clouds"], assignment=work)
    return District(
        people=personas,
        rivera=rivera,
        park=weather_set(personas.sister_class, personas.park),
        stone=weather_set(personas.other_class, personas.stone, published=False),
    )


@pytest.fixture(scope="module")
def _district(module_data: ModuleData | None) -> District | None:
    """The three sets and the linked work, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def district(personas: Personas, _district: District | None) -> District:
    return each_test(_district, personas, _build)


def _editor(teacher: str) -> dict[str, int]:
    """A page that changes one of ``teacher``'s sets: 200 for them, 403 for Riverside's admins
    (who see Riverside's sets and Priya, Oak Hill's too)."""
    return {teacher: 200, **dict.fromkeys(RIVERSIDE_ADMINS, 403)}


def pages(d: District) -> dict[str, tuple[str, dict[str, int]]]:
    """Each page (GET), with the status each persona gets (404 for anyone not named)."""
    p, w = d.people, d.rivera
    s = f"/goals/staff/sets/{w.goal_set.pk}"
    observing, clouds = w.groups["observing"].pk, w.goals["clouds"].pk
    see = {"rivera": 200, **dict.fromkeys(RIVERSIDE_ADMINS, 200)}
    edit = _editor("rivera")
    only_admins = dict.fromkeys(RIVERSIDE_ADMINS, 403)
    return {
        "staff": ("/goals/staff/", dict.fromkeys(STAFF, 200)),
        "set_new": (f"/goals/staff/classes/{p.homeroom5.pk}/sets/new/", {"rivera": 200}),
        "set_new_math8": (f"/goals/staff/classes/{p.math8.pk}/sets/new/", {"chen": 200}),
        "set_import": (f"/goals/staff/classes/{p.homeroom5.pk}/sets/import/", {"rivera": 200}),
        "set": (f"{s}/", see),
        "park_set": (f"/goals/staff/sets/{d.park.goal_set.pk}/", {"park": 200, "priya": 200}),
        "stone_set": (f"/goals/staff/sets/{d.stone.goal_set.pk}/", {"stone": 200}),
        "set_edit": (f"{s}/edit/", edit),
        "park_set_edit": (
            f"/goals/staff/sets/{d.park.goal_set.pk}/edit/",
            {"park": 200, "priya": 403},
        ),
        "set_delete": (f"{s}/delete/", edit),
        "set_copy": (f"{s}/copy/", edit),
        "set_export": (f"{s}/export/", see),
        "group_new": (f"{s}/groups/new/", edit),
        "group_edit": (f"{s}/groups/{observing}/edit/", edit),
        "group_delete": (f"{s}/groups/{observing}/delete/", edit),
        "goal_new": (f"{s}/groups/{observing}/goals/new/", edit),
        "goal_edit": (f"{s}/goals/{clouds}/edit/", edit),
        "goal_delete": (f"{s}/goals/{clouds}/delete/", edit),
        "goal_needs": (f"{s}/goals/{clouds}/needs/", edit),
        "goal_work": (f"{s}/goals/{clouds}/work/", edit),
        # a group or goal of another set, under Ms. Rivera's set: no such page (the admins are
        # refused the change of her set first)
        "park_group": (f"{s}/groups/{d.park.groups['observing'].pk}/edit/", only_admins),
        "park_goal": (f"{s}/goals/{d.park.goals['clouds'].pk}/edit/", only_admins),
    }


def changes(d: District) -> dict[str, tuple[str, dict[str, str], dict[str, int]]]:
    """Each change (POST), with the status each persona gets (404 for anyone not named)."""
    w = d.rivera
    s = f"/goals/staff/sets/{w.goal_set.pk}"
    g = w.goals
    done = {"rivera": 302, **dict.fromkeys(RIVERSIDE_ADMINS, 403)}
    work = w.goal_set.school_class.assignments.get().pk
    return {
        "publish": (f"{s}/publish/", {"published": "0"}, done),
        "group_move": (f"{s}/groups/{w.groups['water'].pk}/move/", {"step": "-1"}, done),
        "goal_move": (f"{s}/goals/{g['record'].pk}/move/", {"step": "-1"}, done),
        "needs_remove": (f"{s}/goals/{g['model'].pk}/needs/{g['cycle'].pk}/remove/", {}, done),
        "work_remove": (f"{s}/goals/{g['clouds'].pk}/work/{work}/remove/", {}, done),
        "group_new": (f"{s}/groups/new/", {"title": "More", "min_optional": "0"}, done),
        "goal_edit": (
            f"{s}/goals/{g['clouds'].pk}/edit/",
            {"title": "Clouds", "kind": "optional"},
            done,
        ),
        "goal_delete": (f"{s}/goals/{g['interview'].pk}/delete/", {}, done),
        "set_new": (
            f"/goals/staff/classes/{d.people.homeroom5.pk}/sets/new/",
            {"title": "New", "opens_on": "2027-01-04", "closes_on": "2027-02-04"},
            {"rivera": 200},  # the form again: the number of days is missing
        ),
    }


@pytest.mark.parametrize("viewer", EVERYONE)
def test_every_page_for_every_persona(district: District, viewer: str) -> None:
    client = client_for(getattr(district.people, viewer))
    for name, (path, allowed) in pages(district).items():
        response = client.get(path)
        expected = allowed.get(viewer, 404)
        assert response.status_code == expected, (viewer, name, path)
        if expected in (403, 404):
            assert "Weather and the water cycle" not in response.content.decode(), (viewer, name)


@pytest.mark.parametrize("viewer", EVERYONE)
def test_every_change_for_every_persona(district: District, viewer: str) -> None:
    client = client_for(getattr(district.people, viewer))
    for name, (path, data, allowed) in changes(district).items():
        response = client.post(path, data)
        assert response.status_code == allowed.get(viewer, 404), (viewer, name, path)


def test_changes_refused_change_nothing(district: District) -> None:
    goal_set = district.rivera.goal_set
    for viewer in ("chen", "nguyen", "park", "eve"):
        client = client_for(getattr(district.people, viewer))
        for _name, (path, data, _allowed) in changes(district).items():
            client.post(path, data)
    goal_set.refresh_from_db()
    assert goal_set.published
    assert goal_set.groups.count() == 3
    assert goal_set.goals.count() == 10


def test_anonymous_visitors_are_sent_to_sign_in(district: District) -> None:
    client = Client()
    requests: list[tuple[str, dict[str, str] | None]] = [
        (path, None) for path, _allowed in pages(district).values()
    ]
    requests += [(path, data) for path, data, _allowed in changes(district).values()]
    for path, data in requests:
        response = client.get(path) if data is None else client.post(path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/login/"), path


def test_the_index_lists_only_the_sets_each_teacher_sees(district: District) -> None:
    def listed(name: str) -> set[str]:
        html = client_for(getattr(district.people, name)).get("/goals/staff/").content.decode()
        found = {"rivera": district.rivera, "park": district.park, "stone": district.stone}
        return {key for key, made in found.items() if f"/sets/{made.goal_set.pk}/" in html}

    assert listed("rivera") == {"rivera"}
    assert listed("nguyen") == {"rivera"}
    assert listed("priya") == {"rivera", "park"}
    assert listed("park") == {"park"}
    assert listed("stone") == {"stone"}
    assert listed("chen") == set()
