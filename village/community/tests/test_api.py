"""The community endpoints of /api/v1 answer each persona with exactly what they may see:
the caller, their children and classes, and a class's roster."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from village.accounts.models import User
from village.community import services
from village.community.models import (
    GuardianLink,
    Role,
    RosterVisibility,
    SchoolClass,
)
from village.community.tests.api_helpers import ALL_SCOPES, call, names, titles
from village.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

# --- /me -------------------------------------------------------------------------------------


def test_me_returns_the_callers_profile_and_current_roles(client, personas):
    body = call(client, personas.sam, "/me").json()
    assert body["id"] == personas.sam.pk
    assert body["username"] == "sam"
    assert body["display_name"] == "Sam Okoye"
    assert body["preferred_language"] == "es"
    assert body["time_zone"] == personas.sam.timezone
    assert body["roles"] == [
        {
            "role": "guardian",
            "organisation": {
                "id": personas.school.pk,
                "name": "Riverside K-8 School",
                "kind": "school",
            },
        }
    ]


def test_me_shows_pronouns_and_preferred_name(client, personas):
    personas.rivera.preferred_name = "Lena"
    personas.rivera.save()
    body = call(client, personas.rivera, "/me").json()
    assert (body["preferred_name"], body["pronouns"], body["display_name"]) == (
        "Lena",
        "she/her",
        "Lena Rivera",
    )


def test_me_lists_a_district_role_with_its_district(client, personas):
    roles = call(client, personas.priya, "/me").json()["roles"]
    assert roles == [
        {
            "role": "district_admin",
            "organisation": {
                "id": personas.district.pk,
                "name": personas.district.name,
                "kind": "district",
            },
        }
    ]


def test_me_leaves_out_roles_that_have_ended(client, personas):
    services.role_grant(
        user=personas.rivera, organisation=personas.sister_school, role=Role.TEACHER
    )
    personas.rivera.org_roles.filter(organisation=personas.sister_school).update(status="inactive")
    roles = call(client, personas.rivera, "/me").json()["roles"]
    assert [role["organisation"]["id"] for role in roles] == [personas.school.pk]


# --- /me/children ------------------------------------------------------------------------------


def test_guardian_gets_each_child_with_scopes_school_and_classes(client, personas):
    body = call(client, personas.sam, "/me/children").json()
    assert body["count"] == 2
    ada, leo = body["items"]
    assert (ada["id"], ada["name"], ada["grade"]) == (personas.ada.pk, "Ada Okoye", "5")
    assert ada["school"] == {
        "id": personas.school.pk,
        "name": "Riverside K-8 School",
        "kind": "school",
    }
    assert ada["scopes"] == ALL_SCOPES
    assert ada["relationship"] == "mother"
    assert ada["classes"] == [
        {
            "id": personas.homeroom5.pk,
            "title": "Grade 5 Homeroom",
            "teachers": [{"id": personas.rivera.pk, "name": "Elena Rivera"}],
        }
    ]
    assert leo["id"] == personas.leo.pk
    assert [c["title"] for c in leo["classes"]] == ["Grade 8 Math", "Grade 8 Science"]
    assert [c["teachers"][0]["name"] for c in leo["classes"]] == ["David Chen", "Elena Rivera"]


def test_restricted_guardian_gets_leo_only_with_classwork_and_goals(client, personas):
    body = call(client, personas.jordan, "/me/children").json()
    assert [(child["id"], child["scopes"]) for child in body["items"]] == [
        (personas.leo.pk, ["classwork", "goals"])
    ]
    assert body["count"] == 1


@pytest.mark.parametrize("persona", ["ada", "leo", "rivera", "chen", "nguyen", "priya", "library"])
def test_people_who_are_not_guardians_have_no_children(client, personas, persona):
    body = call(client, getattr(personas, persona), "/me/children").json()
    assert body == {"items": [], "count": 0}


def test_outsider_guardian_gets_only_their_own_child(client, personas):
    items = call(client, personas.eve, "/me/children").json()["items"]
    assert [child["id"] for child in items] == [personas.finn.pk]
    assert [c["id"] for c in items[0]["classes"]] == [personas.other_class.pk]


def test_child_disappears_when_access_is_withdrawn(client, personas):
    link = GuardianLink.objects.get(guardian=personas.sam, student=personas.ada)
    services.guardian_link_set_access(
        link=link, scopes=[], no_access=True, access_note="Court order"
    )
    items = call(client, personas.sam, "/me/children").json()["items"]
    assert [child["id"] for child in items] == [personas.leo.pk]


def test_child_classes_leave_out_ended_enrolments(client, personas):
    personas.leo.enrollments.filter(school_class=personas.math8).update(status="inactive")
    leo = call(client, personas.jordan, "/me/children").json()["items"][0]
    assert [c["title"] for c in leo["classes"]] == ["Grade 8 Science"]


# --- /classes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ada", ["Grade 5 Homeroom"]),
        ("leo", ["Grade 8 Math", "Grade 8 Science"]),
        ("sam", ["Grade 5 Homeroom", "Grade 8 Math", "Grade 8 Science"]),
        ("jordan", ["Grade 8 Math", "Grade 8 Science"]),
        ("rivera", ["Grade 5 Homeroom", "Grade 8 Science"]),
        ("chen", ["Grade 8 Math"]),
        ("nguyen", ["Grade 5 Homeroom", "Grade 8 Math", "Grade 8 Science"]),
        ("priya", ["Grade 4 Homeroom", "Grade 5 Homeroom", "Grade 8 Math", "Grade 8 Science"]),
        ("library", []),
    ],
)
def test_class_list_holds_exactly_the_visible_classes(client, personas, persona, expected):
    assert titles(call(client, getattr(personas, persona), "/classes")) == expected


def test_outsider_class_list_holds_none_of_this_district(client, personas):
    items = call(client, personas.eve, "/classes").json()["items"]
    assert [item["id"] for item in items] == [personas.other_class.pk]


def test_class_list_shows_course_school_and_teachers(client, personas):
    item = call(client, personas.ada, "/classes").json()["items"][0]
    assert item["course"]["title"] == "Grade 5 Homeroom"
    assert item["school"] == {
        "id": personas.school.pk,
        "name": "Riverside K-8 School",
        "kind": "school",
    }
    assert item["teachers"] == [{"id": personas.rivera.pk, "name": "Elena Rivera"}]
    assert (item["kind"], item["location"], item["roster_visibility"]) == (
        "homeroom",
        "Room 12",
        "first_names",
    )


def test_class_list_is_paginated_in_a_stable_order(client, personas):
    first = call(client, personas.priya, "/classes", limit=2).json()
    second = call(client, personas.priya, "/classes", limit=2, offset=2).json()
    assert first["count"] == second["count"] == 4
    assert [i["title"] for i in first["items"] + second["items"]] == [
        "Grade 4 Homeroom",
        "Grade 5 Homeroom",
        "Grade 8 Math",
        "Grade 8 Science",
    ]


def test_class_list_rejects_a_bad_limit_naming_the_field(client, personas):
    response = call(client, personas.priya, "/classes", limit=0)
    assert response.status_code == 422
    assert "limit" in str(response.json()["detail"])


def test_class_list_leaves_out_inactive_classes(client, personas):
    SchoolClass.objects.filter(pk=personas.math8.pk).update(status="inactive")
    assert titles(call(client, personas.nguyen, "/classes")) == [
        "Grade 5 Homeroom",
        "Grade 8 Science",
    ]


@pytest.mark.parametrize(
    ("persona", "class_name"),
    [
        ("ada", "homeroom5"),
        ("leo", "math8"),
        ("sam", "science8"),
        ("jordan", "science8"),
        ("rivera", "homeroom5"),
        ("chen", "math8"),
        ("nguyen", "math8"),
        ("priya", "sister_class"),
    ],
)
def test_class_detail_answers_for_a_visible_class(client, personas, persona, class_name):
    school_class = getattr(personas, class_name)
    response = call(client, getattr(personas, persona), f"/classes/{school_class.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["title"]) == (school_class.pk, school_class.title)
    assert body["teachers"]


@pytest.mark.parametrize(
    ("persona", "class_name"),
    [
        ("ada", "math8"),
        ("leo", "homeroom5"),
        ("jordan", "homeroom5"),
        ("rivera", "math8"),
        ("chen", "homeroom5"),
        ("nguyen", "sister_class"),
        ("priya", "other_class"),
        ("library", "homeroom5"),
        ("eve", "homeroom5"),
        ("park", "homeroom5"),
    ],
)
def test_class_detail_is_404_for_a_class_out_of_sight(client, personas, persona, class_name):
    school_class = getattr(personas, class_name)
    response = call(client, getattr(personas, persona), f"/classes/{school_class.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such class."}


def test_class_detail_is_404_for_a_class_that_does_not_exist(client, personas):
    assert call(client, personas.priya, "/classes/999999").status_code == 404


def test_class_detail_rejects_an_id_that_is_not_a_number_naming_the_field(client, personas):
    response = call(client, personas.priya, "/classes/abc")
    assert response.status_code == 422
    assert "class_id" in str(response.json()["detail"])


# --- /classes/{id}/roster ------------------------------------------------------------------------


def roster(client: Client, user: User, school_class: SchoolClass) -> Any:
    return call(client, user, f"/classes/{school_class.pk}/roster")


@pytest.mark.parametrize("persona", ["rivera", "nguyen", "priya"])
def test_staff_get_the_roster_with_full_names_and_ids(client, personas, persona):
    body = roster(client, getattr(personas, persona), personas.homeroom5).json()
    assert body == {
        "items": [
            {"id": personas.maya.pk, "name": "Maya Lopez"},
            {"id": personas.ada.pk, "name": "Ada Okoye"},
        ],
        "count": 2,
    }


def test_staff_roster_view_is_audited_once_for_the_class(client, personas):
    roster(client, personas.rivera, personas.homeroom5)
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.action, event.object_type, event.object_id) == (
        personas.rivera.pk,
        AuditAction.VIEW_ROSTER,
        "class",
        str(personas.homeroom5.pk),
    )
    assert (event.channel, event.organisation_id, event.student_id) == (
        "api",
        personas.school.pk,
        None,
    )


def test_classmate_gets_first_names_and_initials_without_ids(client, personas):
    body = roster(client, personas.ada, personas.homeroom5).json()
    assert body["items"] == [{"id": None, "name": "Maya L."}, {"id": None, "name": "Ada O."}]
    assert AuditEvent.objects.count() == 0


def test_classmate_gets_full_names_when_the_class_shows_them(client, personas):
    SchoolClass.objects.filter(pk=personas.homeroom5.pk).update(
        roster_visibility=RosterVisibility.FULL_NAMES
    )
    items = roster(client, personas.maya, personas.homeroom5).json()["items"]
    assert items == [{"id": None, "name": "Maya Lopez"}, {"id": None, "name": "Ada Okoye"}]


def test_roster_names_use_the_preferred_name(client, personas):
    personas.maya.preferred_name = "Mayita"
    personas.maya.save()
    assert names(roster(client, personas.ada, personas.homeroom5).json()["items"]) == [
        "Mayita L.",
        "Ada O.",
    ]


def test_classmate_is_refused_a_hidden_roster_with_403(client, personas):
    SchoolClass.objects.filter(pk=personas.homeroom5.pk).update(
        roster_visibility=RosterVisibility.HIDDEN
    )
    response = roster(client, personas.ada, personas.homeroom5)
    assert response.status_code == 403
    assert response.json() == {"detail": "The roster of this class is not shown to you."}


@pytest.mark.parametrize(("persona", "class_name"), [("sam", "homeroom5"), ("jordan", "science8")])
def test_guardian_sees_the_class_but_is_refused_its_roster(client, personas, persona, class_name):
    response = roster(client, getattr(personas, persona), getattr(personas, class_name))
    assert response.status_code == 403
    assert "items" not in response.json()
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "class_name"),
    [
        ("leo", "homeroom5"),
        ("chen", "homeroom5"),
        ("library", "homeroom5"),
        ("eve", "homeroom5"),
        ("park", "homeroom5"),
        ("nguyen", "sister_class"),
    ],
)
def test_roster_is_404_when_the_class_is_out_of_sight(client, personas, persona, class_name):
    response = roster(client, getattr(personas, persona), getattr(personas, class_name))
    assert response.status_code == 404
    assert AuditEvent.objects.count() == 0
