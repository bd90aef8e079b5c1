"""Authorization as a matrix: every page and endpoint x every persona x own and other objects.

Expectations are written out by hand (not derived from the policy under test), so a change in the
policy that widens or narrows access fails here. What may not be seen is a 404, never data; an
allowed view of a student's record by someone else leaves exactly one audit entry.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.authorization import (
    CLASSES,
    STUDENTS,
    api_client_for,
    client_for,
    olga_at_both_schools,
)
from village.classwork.models import Assignment
from village.core.models import AuditAction, AuditEvent
from village.onboarding.models import OnboardingSettings
from village.rostering import services as roster_services
from village.rostering.models import ImportStatus
from village.rostering.tests.builders import csv_text, manifest

pytestmark = pytest.mark.django_db

PERSONAS = [
    "ada",
    "leo",
    "sam",
    "jordan",
    "rivera",
    "chen",
    "nguyen",
    "priya",
    "library",
    "park",
    "olga",
    "eve",
    "stone",
    "finn",
]

# viewer -> students whose record they may open
STUDENTS_VISIBLE = {
    "ada": {"ada"},
    "leo": {"leo"},
    "sam": {"ada", "leo"},
    "jordan": {"leo"},
    "rivera": {"ada", "maya", "leo"},
    "chen": {"leo"},
    "nguyen": {"ada", "maya", "leo"},
    "priya": {"ada", "maya", "leo", "mina"},
    "library": set(),
    "park": {"mina"},
    "olga": {"mina"},
    "eve": {"finn"},
    "stone": {"finn"},
    "finn": {"finn"},
}

# viewer -> classes they may open
CLASSES_VISIBLE = {
    "ada": {"homeroom5"},
    "leo": {"science8", "math8"},
    "sam": {"homeroom5", "science8", "math8"},
    "jordan": {"science8", "math8"},
    "rivera": {"homeroom5", "science8"},
    "chen": {"math8"},
    "nguyen": {"homeroom5", "science8", "math8"},
    "priya": {"homeroom5", "science8", "math8", "sister_class"},
    "library": set(),
    "park": {"sister_class"},
    "olga": {"sister_class"},
    "eve": {"other_class"},
    "stone": {"other_class"},
    "finn": {"other_class"},
}

# viewer -> classes whose roster they may read (full for staff, as the class allows for students)
ROSTERS_VISIBLE = {
    "ada": {"homeroom5"},
    "leo": {"science8", "math8"},
    "sam": set(),
    "jordan": set(),
    "rivera": {"homeroom5", "science8"},
    "chen": {"math8"},
    "nguyen": {"homeroom5", "science8", "math8"},
    "priya": {"homeroom5", "science8", "math8", "sister_class"},
    "library": set(),
    "park": {"sister_class"},
    "olga": set(),
    "eve": set(),
    "stone": {"other_class"},
    "finn": {"other_class"},
}

ADMINS = {"nguyen", "priya"}


@pytest.mark.parametrize("viewer", PERSONAS)
def test_student_page_matrix(personas, viewer):
    client = client_for(getattr(personas, viewer))
    for name in STUDENTS:
        student = getattr(personas, name)
        before = AuditEvent.objects.count()
        response = client.get(f"/students/{student.pk}/")
        allowed = name in STUDENTS_VISIBLE[viewer]
        assert response.status_code == (200 if allowed else 404), (viewer, name)
        written = AuditEvent.objects.count() - before
        if allowed and name != viewer:
            assert written == 1, (viewer, name)
            event = AuditEvent.objects.latest("id")
            assert (event.actor_id, event.student_id, event.action) == (
                getattr(personas, viewer).pk,
                student.pk,
                AuditAction.VIEW_STUDENT,
            )
        else:
            assert written == 0, (viewer, name)
        if not allowed:
            assert f"{student.first_name} {student.last_name}".encode() not in response.content


@pytest.mark.parametrize("viewer", PERSONAS)
def test_student_endpoint_matrix(personas, viewer):
    client = api_client_for(getattr(personas, viewer))
    for name in STUDENTS:
        student = getattr(personas, name)
        before = AuditEvent.objects.filter(channel="api").count()
        response = client.get(f"/api/v1/students/{student.pk}")
        allowed = name in STUDENTS_VISIBLE[viewer]
        assert response.status_code == (200 if allowed else 404), (viewer, name)
        if allowed:
            assert response.json()["id"] == student.pk
        expected_audit = 1 if allowed and name != viewer else 0
        assert AuditEvent.objects.filter(channel="api").count() - before == expected_audit


@pytest.mark.parametrize("viewer", PERSONAS)
def test_class_page_and_endpoints_matrix(personas, viewer):
    web = client_for(getattr(personas, viewer))
    api = api_client_for(getattr(personas, viewer))
    for name in CLASSES:
        school_class = getattr(personas, name)
        visible = name in CLASSES_VISIBLE[viewer]
        roster = name in ROSTERS_VISIBLE[viewer]
        assert web.get(f"/classes/{school_class.pk}/").status_code == (200 if visible else 404)
        assert api.get(f"/api/v1/classes/{school_class.pk}").status_code == (
            200 if visible else 404
        )
        roster_status = api.get(f"/api/v1/classes/{school_class.pk}/roster").status_code
        assert roster_status == (200 if roster else 403 if visible else 404), (viewer, name)


@pytest.mark.parametrize("viewer", PERSONAS)
def test_list_endpoints_return_only_visible_objects(personas, viewer):
    api = api_client_for(getattr(personas, viewer))
    classes = api.get("/api/v1/classes")
    assert classes.status_code == 200
    returned = {item["id"] for item in classes.json()["items"]}
    assert returned == {getattr(personas, name).pk for name in CLASSES_VISIBLE[viewer]}
    children = api.get("/api/v1/me/children")
    assert children.status_code == 200
    expected_children = {
        "sam": {"ada", "leo"},
        "jordan": {"leo"},
        "olga": {"mina"},
        "eve": {"finn"},
    }.get(viewer, set())
    returned_children = {item["id"] for item in children.json()["items"]}
    assert returned_children == {getattr(personas, name).pk for name in expected_children}


@pytest.mark.parametrize("viewer", PERSONAS)
def test_admin_pages_open_for_admins_only(personas, viewer):
    client = client_for(getattr(personas, viewer))
    expected = 200 if viewer in ADMINS else 404
    assert client.get("/audit/").status_code == expected
    assert client.get("/people/").status_code == expected


@pytest.mark.parametrize("viewer", PERSONAS)
def test_every_signed_in_persona_has_a_home_profile_and_tokens_page(personas, viewer):
    client = client_for(getattr(personas, viewer))
    for path in ("/", "/accounts/profile/", "/accounts/tokens/"):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/students/1/",
        "/classes/1/",
        "/audit/",
        "/people/",
        "/accounts/profile/",
        "/accounts/tokens/",
        "/families/pair/",
        "/families/students/1/",
        "/families/classes/1/codes/",
        "/families/approvals/",
        "/families/schools/1/settings/",
        "/roster/",
        "/roster/upload/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me",
        "/api/v1/me/children",
        "/api/v1/classes",
        "/api/v1/students/1",
        "/api/v1/classes/1",
        "/api/v1/classes/1/roster",
    ],
)
def test_anonymous_api_callers_get_401(db, path):
    assert Client().get(path).status_code == 401


def test_audit_log_shows_each_admin_only_their_schools(personas):
    client_for(personas.rivera).get(f"/students/{personas.ada.pk}/")
    client_for(personas.park).get(f"/students/{personas.mina.pk}/")
    client_for(personas.stone).get(f"/students/{personas.finn.pk}/")
    nguyen_page = client_for(personas.nguyen).get("/audit/").content.decode()
    priya_page = client_for(personas.priya).get("/audit/").content.decode()
    assert "Ada" in nguyen_page
    assert "Mina" not in nguyen_page
    assert "Ada" in priya_page
    assert "Mina" in priya_page
    assert "Finn" not in priya_page


# viewer -> students whose family onboarding page (pairing codes, invitations) they may open
ONBOARDING_STUDENTS = {
    "ada": {"ada"},
    "leo": {"leo"},
    "sam": set(),
    "jordan": set(),
    "rivera": {"ada", "maya", "leo"},
    "chen": {"leo"},
    "nguyen": {"ada", "maya", "leo"},
    "priya": {"ada", "maya", "leo", "mina"},
    "library": set(),
    "park": {"mina"},
    "olga": set(),
    "eve": set(),
    "stone": {"finn"},
    "finn": {"finn"},
}

# viewer -> classes whose pairing-code sheet they may print
CODE_SHEETS = {
    "rivera": {"homeroom5", "science8"},
    "chen": {"math8"},
    "nguyen": {"homeroom5", "science8", "math8"},
    "priya": {"homeroom5", "science8", "math8", "sister_class"},
    "park": {"sister_class"},
    "stone": {"other_class"},
}

APPROVERS = {"nguyen", "priya"}


@pytest.mark.parametrize("viewer", PERSONAS)
def test_family_onboarding_pages_matrix(personas, viewer):
    client = client_for(getattr(personas, viewer))
    for name in STUDENTS:
        student = getattr(personas, name)
        expected = 200 if name in ONBOARDING_STUDENTS[viewer] else 404
        assert client.get(f"/families/students/{student.pk}/").status_code == expected, (
            viewer,
            name,
        )
    for name in CLASSES:
        school_class = getattr(personas, name)
        expected = 200 if name in CODE_SHEETS.get(viewer, set()) else 404
        response = client.get(f"/families/classes/{school_class.pk}/codes/")
        assert response.status_code == expected, (viewer, name)
    expected = 200 if viewer in APPROVERS else 404
    assert client.get("/families/approvals/").status_code == expected


# viewer -> schools whose settings for new family links they may open and change
ORGANISATIONS = ["school", "sister_school", "other_school", "district", "other_district"]
SCHOOL_ONBOARDING_SETTINGS = {
    "nguyen": {"school"},
    "priya": {"school", "sister_school"},
}


@pytest.mark.parametrize("viewer", PERSONAS)
def test_school_onboarding_settings_matrix(personas, viewer):
    client = client_for(getattr(personas, viewer))
    answers = {
        "approve_student_codes": "approve",
        "approve_teacher_codes": "approve",
        "approve_admin_codes": "approve",
        "approve_invitations": "approve",
        "default_scopes": ["classwork"],
    }
    for name in ORGANISATIONS:
        org = getattr(personas, name)
        allowed = name in SCHOOL_ONBOARDING_SETTINGS.get(viewer, set())
        path = f"/families/schools/{org.pk}/settings/"
        assert client.get(path).status_code == (200 if allowed else 404), (viewer, name)
        assert client.post(path, answers).status_code == (302 if allowed else 404), (viewer, name)
        changed = OnboardingSettings.objects.filter(school=org).exists()
        assert changed == allowed, (viewer, name)


def test_anonymous_visitors_cannot_change_school_onboarding_settings(personas):
    path = f"/families/schools/{personas.school.pk}/settings/"
    response = Client().post(
        path, {"approve_student_codes": "approve", "default_scopes": ["grades"]}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not OnboardingSettings.objects.exists()


ROSTER_ADMINS = {"nguyen", "priya"}


@pytest.mark.parametrize("viewer", PERSONAS)
def test_roster_import_pages_open_for_admins_only(personas, viewer):
    client = client_for(getattr(personas, viewer))
    expected = 200 if viewer in ROSTER_ADMINS else 404
    assert client.get("/roster/").status_code == expected
    assert client.get("/roster/upload/").status_code == expected


# importer -> person -> what an upload changing that person's email address does: "changed";
# "kept" (the import applies, their account stays as it is, the report says so); "rejected" (the
# person belongs elsewhere only, and the import is refused). Olga has Maya at Riverside K-8 and
# Mina at Oak Hill: only the district may change her account.
ROSTER_IMPORT_TARGETS = {
    "nguyen": {
        "olga": "kept",
        "sam": "changed",
        "rivera": "changed",
        "priya": "rejected",  # district staff only: not a school's to name
        "park": "rejected",
        "eve": "rejected",
        "mina": "rejected",
    },
    "priya": {
        "olga": "changed",
        "sam": "changed",
        "rivera": "changed",
        "park": "changed",
        "eve": "rejected",
        "mina": "changed",
    },
}
ROSTER_ROLES = {
    "olga": "parent",
    "sam": "parent",
    "eve": "parent",
    "priya": "administrator",
    "mina": "student",
}


@pytest.mark.parametrize(
    ("importer", "target"),
    [
        (importer, target)
        for importer, targets in ROSTER_IMPORT_TARGETS.items()
        for target in targets
    ],
)
def test_roster_import_target_matrix(
    personas, importer, target, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    olga_at_both_schools(personas)
    admin, person = getattr(personas, importer), getattr(personas, target)
    organisation = personas.school if importer == "nguyen" else personas.district
    row = (
        f"{person.sourced_id},active,2025-01-06T08:00:00Z,true,demo-org-riverside-k8,"
        f"{ROSTER_ROLES.get(target, 'teacher')},{person.username},,{person.first_name},"
        f"{person.last_name},,,{target}.new@example.org,,,,,"
    )
    files = {"manifest.csv": manifest({"users": "delta"}), "users.csv": csv_text("users", [row])}
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = roster_services.roster_import_create(
            uploaded_by=admin,
            organisation=organisation,
            upload=SimpleUploadedFile("r.zip", _zipped(files), content_type="application/zip"),
        )
    roster_import.refresh_from_db()
    if roster_import.status == ImportStatus.VALIDATED:
        with django_capture_on_commit_callbacks(execute=True):
            roster_services.roster_import_confirm(import_id=roster_import.pk, confirmed_by=admin)
        roster_import.refresh_from_db()

    person.refresh_from_db()
    changed = person.email == f"{target}.new@example.org"
    outcome = (
        "rejected"
        if roster_import.status == ImportStatus.REJECTED
        else "changed"
        if changed
        else "kept"
    )
    assert outcome == ROSTER_IMPORT_TARGETS[importer][target], (importer, target)
    if outcome == "kept":
        assert roster_import.status == ImportStatus.APPLIED
        codes = [issue["code"] for issue in (roster_import.report or {})["warnings"]]
        assert "account_outside_reach" in codes


# importer -> how a bundle reaches Mina (an Oak Hill student) or an Oak Hill class -> whether the
# import is refused. Only the district may give Mina a role or an enrolment at Riverside, link a
# new parent to her, enrol someone in an Oak Hill class, or give work and grades there; nobody
# of the Riverside district gives work and grades in a Lakeside class.
ROSTER_REACH_ATTACKS = {
    "mina_enrolled_at_riverside": {
        "enrollments": [
            "e-1,active,{stamp},demo-class-G5-HR,{school},demo-user-mina,student,false,,"
        ]
    },
    "mina_given_a_riverside_role": {
        "roles": ["r-1,active,{stamp},demo-user-mina,secondary,student,,,{school},"]
    },
    "new_parent_linked_to_mina": {
        "users": [
            "p-1,active,{stamp},true,{school},parent,p1,,New,Parent,,,p1@example.org,,,"
            "demo-user-mina,,"
        ]
    },
    "new_teacher_in_an_oak_hill_class": {
        "users": ["t-1,active,{stamp},true,{school},teacher,t1,,New,T,,,t1@example.org,,,,,"],
        "enrollments": ["e-2,active,{stamp},demo-class-OH-G4-HR,{school},t-1,teacher,true,,"],
    },
    "new_district_admin": {
        "users": [
            "a-1,active,{stamp},true,demo-org-riverside,administrator,a1,,New,A,,,"
            "a1@example.org,,,,,"
        ]
    },
    "work_and_a_grade_for_mina_in_an_oak_hill_class": {
        "categories": ["cat-x,active,{stamp},Homework"],
        "lineItems": [
            "li-x,active,{stamp},Evil,,2025-01-01T10:00:00Z,2025-01-05T10:00:00Z,"
            "demo-class-OH-G4-HR,cat-x,demo-session-year,0,10"
        ],
        "results": ["r-x,active,{stamp},li-x,demo-user-mina,fully graded,0,2025-01-06,you fail"],
    },
    "work_and_a_grade_for_finn_in_a_lakeside_class": {
        "categories": ["cat-x,active,{stamp},Homework"],
        "lineItems": [
            "li-x,active,{stamp},Evil,,2025-01-01T10:00:00Z,2025-01-05T10:00:00Z,"
            "demo-class-LA-G5-HR,cat-x,demo-session-year,0,10"
        ],
        "results": ["r-x,active,{stamp},li-x,demo-user-finn,fully graded,0,2025-01-06,you fail"],
    },
}
# Attacks the district's import is refused too: they reach outside the district.
ROSTER_REACH_OUTSIDE_THE_DISTRICT = {"work_and_a_grade_for_finn_in_a_lakeside_class"}
GRADEBOOK_CSV_HEADERS = {
    "categories": "sourcedId,status,dateLastModified,title",
    "lineItems": (
        "sourcedId,status,dateLastModified,title,description,assignDate,dueDate,classSourcedId,"
        "categorySourcedId,gradingPeriodSourcedId,resultValueMin,resultValueMax"
    ),
    "results": (
        "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,"
        "scoreDate,comment"
    ),
}
ROLES_CSV_HEADER = (
    "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
    "orgSourcedId,userProfileSourcedId"
)


@pytest.mark.parametrize("importer", sorted(ROSTER_IMPORT_TARGETS))
@pytest.mark.parametrize("attack", sorted(ROSTER_REACH_ATTACKS))
def test_roster_import_reach_matrix(
    personas, importer, attack, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    admin = getattr(personas, importer)
    organisation = personas.school if importer == "nguyen" else personas.district
    kinds = ROSTER_REACH_ATTACKS[attack]
    version = "1.2" if "roles" in kinds else "1.1"
    files = {"manifest.csv": manifest(dict.fromkeys(kinds, "delta"), version)}
    for kind, rows in kinds.items():
        filled = [
            row.format(stamp="2025-01-06T08:00:00Z", school="demo-org-riverside-k8") for row in rows
        ]
        header = ROLES_CSV_HEADER if kind == "roles" else GRADEBOOK_CSV_HEADERS.get(kind)
        files[f"{kind}.csv"] = csv_text(kind, filled, header)
    with django_capture_on_commit_callbacks(execute=True):
        roster_import = roster_services.roster_import_create(
            uploaded_by=admin,
            organisation=organisation,
            upload=SimpleUploadedFile("r.zip", _zipped(files), content_type="application/zip"),
        )
    roster_import.refresh_from_db()

    refused = importer == "nguyen" or attack in ROSTER_REACH_OUTSIDE_THE_DISTRICT
    assert (roster_import.status == ImportStatus.REJECTED) == refused, roster_import.report
    if refused:
        assert all(issue["line"] for issue in (roster_import.report or {})["errors"])
    if "lineItems" in kinds:
        if refused:
            assert not Assignment.objects.filter(sourced_id="li-x").exists()
        else:
            with django_capture_on_commit_callbacks(execute=True):
                roster_services.roster_import_confirm(
                    import_id=roster_import.pk, confirmed_by=admin
                )
            assert Assignment.objects.get(sourced_id="li-x").school_class == personas.sister_class


def _zipped(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()
