"""The community endpoints of /api/v1 answer each persona with exactly what they may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from village.accounts.models import User
from village.community import services
from village.community.models import (
    EnrollmentRole,
    GuardianLink,
    Relationship,
    Role,
    RosterVisibility,
    SchoolClass,
    Scope,
)
from village.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

ALL_SCOPES = [scope.value for scope in Scope]


def call(client: Client, user: User, path: str, **params: Any) -> Any:
    """GET ``/api/v1<path>`` signed in as ``user`` through the browser session."""
    user.refresh_from_db(fields=["password"])  # the session hash must match the stored password
    client.force_login(user)
    return client.get(f"/api/v1{path}", params)


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


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


# --- /students/{id} -----------------------------------------------------------------------------


def student(client: Client, user: User, pupil: User) -> Any:
    return call(client, user, f"/students/{pupil.pk}")


def test_guardian_gets_the_child_with_school_classes_and_own_link_only(client, personas):
    body = student(client, personas.sam, personas.leo).json()
    assert (body["id"], body["name"], body["grade"]) == (personas.leo.pk, "Leo Okoye", "8")
    assert body["school"]["id"] == personas.school.pk
    assert [c["title"] for c in body["classes"]] == ["Grade 8 Math", "Grade 8 Science"]
    assert body["guardians"] == []
    assert body["my_link"] == {"relationship": "mother", "scopes": ALL_SCOPES}


def test_restricted_guardian_gets_leo_with_their_limited_scopes(client, personas):
    body = student(client, personas.jordan, personas.leo).json()
    assert body["my_link"] == {"relationship": "father", "scopes": ["classwork", "goals"]}
    assert body["guardians"] == []


def test_restricted_guardian_never_gets_ada(client, personas):
    response = student(client, personas.jordan, personas.ada)
    assert response.status_code == 404
    assert response.json() == {"detail": "No such student."}


def test_student_gets_themself_without_guardian_links(client, personas):
    body = student(client, personas.ada, personas.ada).json()
    assert body["id"] == personas.ada.pk
    assert [c["id"] for c in body["classes"]] == [personas.homeroom5.pk]
    assert (body["guardians"], body["my_link"]) == ([], None)


def test_teacher_gets_guardian_links_with_access_limits(client, personas):
    body = student(client, personas.rivera, personas.leo).json()
    guardians = {link["guardian"]["name"]: link for link in body["guardians"]}
    assert set(guardians) == {"Sam Okoye", "Jordan Bell"}
    assert guardians["Jordan Bell"]["scopes"] == ["classwork", "goals"]
    assert (
        guardians["Jordan Bell"]["access_note"] == "Custody arrangement: classwork and goals only."
    )
    assert guardians["Jordan Bell"]["lives_with"] is False
    assert body["my_link"] is None


def test_teacher_sees_only_the_classes_of_the_student_they_may_see(client, personas):
    body = student(client, personas.rivera, personas.leo).json()
    assert [c["title"] for c in body["classes"]] == ["Grade 8 Science"]


def test_school_admin_sees_every_class_and_a_no_access_guardian(client, personas):
    link = GuardianLink.objects.get(guardian=personas.jordan, student=personas.leo)
    services.guardian_link_set_access(
        link=link, scopes=[], no_access=True, access_note="Court order"
    )
    body = student(client, personas.nguyen, personas.leo).json()
    assert [c["title"] for c in body["classes"]] == ["Grade 8 Math", "Grade 8 Science"]
    jordan = next(g for g in body["guardians"] if g["guardian"]["id"] == personas.jordan.pk)
    assert (jordan["no_access"], jordan["scopes"], jordan["access_note"]) == (
        True,
        [],
        "Court order",
    )
    assert student(client, personas.jordan, personas.leo).status_code == 404


def test_district_admin_gets_a_student_of_another_school_of_the_district(client, personas):
    body = student(client, personas.priya, personas.mina).json()
    assert body["school"]["id"] == personas.sister_school.pk
    assert [c["id"] for c in body["classes"]] == [personas.sister_class.pk]


@pytest.mark.parametrize(
    ("persona", "pupil"),
    [
        ("ada", "maya"),
        ("ada", "leo"),
        ("leo", "ada"),
        ("jordan", "ada"),
        ("chen", "ada"),
        ("nguyen", "mina"),
        ("park", "ada"),
        ("library", "ada"),
        ("eve", "ada"),
        ("eve", "leo"),
        ("stone", "leo"),
        ("priya", "finn"),
        ("sam", "maya"),
    ],
)
def test_student_detail_is_404_and_unaudited_out_of_sight(client, personas, persona, pupil):
    response = student(client, getattr(personas, persona), getattr(personas, pupil))
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}
    assert AuditEvent.objects.count() == 0


def test_student_detail_is_404_for_someone_who_is_not_a_student(client, personas):
    assert student(client, personas.priya, personas.rivera).status_code == 404


@pytest.mark.parametrize("persona", ["sam", "jordan", "chen", "nguyen", "priya"])
def test_each_allowed_student_view_is_audited_as_an_api_view(client, personas, persona):
    viewer = getattr(personas, persona)
    assert student(client, viewer, personas.leo).status_code == 200
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.student_id, event.action, event.channel) == (
        viewer.pk,
        personas.leo.pk,
        AuditAction.VIEW_STUDENT,
        "api",
    )
    assert event.path == f"/api/v1/students/{personas.leo.pk}"


def test_a_student_viewing_themself_is_not_audited(client, personas):
    assert student(client, personas.leo, personas.leo).status_code == 200
    assert AuditEvent.objects.count() == 0


# --- constant query counts ---------------------------------------------------------------------


def grow_district(personas) -> None:
    """More classes, teachers, students and children in the persona school."""
    course = services.course_create(organisation=personas.school, title="Art", code="ART")
    newcomer = services.person_create(
        username="okafor",
        first_name="Ngozi",
        last_name="Okafor",
        role=Role.TEACHER,
        organisation=personas.school,
    )
    for number in range(3):
        school_class = services.class_create(
            course=course, school=personas.school, title=f"Art {number}", terms=[personas.term]
        )
        services.enrollment_add(
            user=newcomer, school_class=school_class, role=EnrollmentRole.TEACHER
        )
        services.enrollment_add(
            user=personas.rivera, school_class=school_class, role=EnrollmentRole.TEACHER
        )
        for extra in range(2):
            child = services.person_create(
                username=f"kid{number}{extra}",
                first_name=f"Kid{number}{extra}",
                last_name="Okoye",
                role=Role.STUDENT,
                organisation=personas.school,
            )
            for enrolled_in in (school_class, personas.homeroom5):
                services.enrollment_add(
                    user=child, school_class=enrolled_in, role=EnrollmentRole.STUDENT
                )
            services.guardian_link(
                guardian=personas.sam, student=child, relationship=Relationship.MOTHER
            )
    services.role_grant(
        user=personas.rivera, organisation=personas.sister_school, role=Role.TEACHER
    )
    services.role_grant(user=personas.sam, organisation=personas.sister_school, role=Role.GUARDIAN)


def queries_for(client: Client, user: User, path: str) -> tuple[int, Any]:
    user.refresh_from_db(fields=["password"])
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        response = client.get(f"/api/v1{path}")
    assert response.status_code == 200, response.content
    return len(context), response.json()


@pytest.mark.parametrize(
    ("persona", "path", "grown_count"),
    [
        ("sam", "/me/children", 8),
        ("sam", "/classes", 6),
        ("rivera", "/classes", 5),
        ("nguyen", "/classes", 6),
        ("priya", "/classes", 7),
    ],
)
def test_list_endpoints_run_a_constant_number_of_queries(
    client, personas, django_assert_num_queries, persona, path, grown_count
):
    user = getattr(personas, persona)
    before, _body = queries_for(client, user, path)
    grow_district(personas)
    with django_assert_num_queries(before):
        response = client.get(f"/api/v1{path}")
    assert response.json()["count"] == grown_count


@pytest.mark.parametrize("persona", ["rivera", "nguyen", "ada"])
def test_roster_runs_a_constant_number_of_queries(
    client, personas, django_assert_num_queries, persona
):
    user = getattr(personas, persona)
    before, body = queries_for(client, user, f"/classes/{personas.homeroom5.pk}/roster")
    assert body["count"] == 2
    grow_district(personas)
    with django_assert_num_queries(before):
        response = client.get(f"/api/v1/classes/{personas.homeroom5.pk}/roster")
    assert response.json()["count"] == 8


@pytest.mark.parametrize(("persona", "path"), [("rivera", "/me"), ("sam", "/me")])
def test_me_runs_a_constant_number_of_queries(
    client, personas, django_assert_num_queries, persona, path
):
    user = getattr(personas, persona)
    before, body = queries_for(client, user, path)
    assert len(body["roles"]) == 1
    grow_district(personas)
    with django_assert_num_queries(before):
        response = client.get(f"/api/v1{path}")
    assert len(response.json()["roles"]) == 2


def test_student_detail_runs_a_constant_number_of_queries(
    client, personas, django_assert_num_queries
):
    before, body = queries_for(client, personas.nguyen, f"/students/{personas.ada.pk}")
    assert len(body["classes"]) == 1
    grow_district(personas)
    kid = User.objects.get(username="kid00")
    for school_class in SchoolClass.objects.filter(title__in=["Art 1", "Art 2"]):
        services.enrollment_add(user=kid, school_class=school_class, role=EnrollmentRole.STUDENT)
    services.guardian_link(guardian=personas.olga, student=kid)
    with django_assert_num_queries(before):
        response = client.get(f"/api/v1/students/{kid.pk}")
    assert len(response.json()["classes"]) == 4
    assert len(response.json()["guardians"]) == 2
