"""The student's pages ("my work", one assignment with hand-in) and the guardian's view of an
assignment: what each shows, what viewing it records, and how it reads on the page."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from village.classwork.models import FeedbackSeen, Submission
from village.classwork.services.submissions import submission_hand_in
from village.classwork.tests.test_student_support import (
    DAY,
    EXE,
    PDF,
    assignment,
    client_for,
    give_feedback,
    hand_in,
    material_file,
    material_link,
    media_root,
    rubric,
    topic,
    upload,
)
from village.community import services as community_services
from village.community.models import Enrollment, EnrollmentRole, GuardianLink, Role, Scope
from village.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
#: The typographic apostrophe the pages use in possessives ("Ada\u2019s work").
APOSTROPHE = "\u2019"


def page_of(work) -> str:
    return reverse("classwork:assignment", args=[work.pk])


def section(html: str, section_id: str) -> str:
    """The HTML of one ``<section id=...>`` of a page."""
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert match, f"no section {section_id}"
    return match.group(0)


@pytest.fixture
def noon():
    """Today at noon in the school's time zone, so "today" and "tomorrow" are unambiguous."""
    now = timezone.localtime(timezone.now(), CHICAGO).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    with time_machine.travel(now, tick=False):
        yield now


# --- my work -------------------------------------------------------------------------------------


def test_my_work_sorts_work_into_to_do_missing_feedback_and_done(personas, media_root, noon):
    water = topic(personas.homeroom5, "The water cycle")
    later = assignment(personas.homeroom5, "Rain gauge diary", due_in=5 * DAY, topic=water)
    soon = assignment(personas.homeroom5, "Cloud quiz", due_in=dt.timedelta(hours=3))
    tomorrow = assignment(personas.homeroom5, "Poster", due_in=DAY)
    late_one = assignment(personas.homeroom5, "Spelling list", due_in=-2 * DAY)
    assignment(personas.homeroom5, "Morning check-in", due_in=-dt.timedelta(hours=2))
    handed = assignment(personas.homeroom5, "Reading log", due_in=2 * DAY)
    hand_in(personas.ada, handed)
    graded = assignment(personas.homeroom5, "Map of the river", due_in=-3 * DAY)
    hand_in(personas.ada, graded, at=noon - 4 * DAY)
    give_feedback(graded, personas.ada, comment="Lovely labels.")
    assignment(personas.science8, "Leo's lab report")  # not Ada's class

    html = client_for(personas.ada).get(reverse("classwork:my_work")).content.decode()

    to_do = section(html, "to-do")
    titles = re.findall(r'class="work-title" href="[^"]+">([^<]+)<', to_do)
    assert titles == ["Cloud quiz", "Poster", "Rain gauge diary"]
    assert "Due today" in to_do
    assert "Due tomorrow" in to_do
    assert "Due in 5 days" in to_do
    assert "Grade 5 Homeroom · The water cycle" in to_do
    assert f'href="{page_of(soon)}"' in to_do
    assert f'href="{page_of(later)}"' in to_do
    assert page_of(tomorrow) in to_do
    missing = section(html, "missing")
    assert "Spelling list" in missing
    assert "Was due 2 days ago" in missing
    assert page_of(late_one) in missing
    assert "Was due today" in missing
    assert "Morning check-in" not in to_do
    feedback = section(html, "feedback")
    assert "Map of the river" in feedback
    done = section(html, "done")
    assert "Reading log" in done
    assert "Handed in" in done
    assert "Map of the river" in done
    assert "Graded" in done
    assert "80%" in done
    assert "Leo&#x27;s lab report" not in html
    assert "lab report" not in html


def test_opening_returned_feedback_takes_it_off_the_list_to_read(personas, media_root):
    work = assignment(personas.homeroom5, "Map of the river", due_in=-DAY)
    hand_in(personas.ada, work, at=timezone.now() - 2 * DAY)
    give_feedback(work, personas.ada)
    client = client_for(personas.ada)
    assert "Map of the river" in section(client.get("/work/").content.decode(), "feedback")
    client.get(page_of(work))
    assert "Map of the river" not in section(client.get("/work/").content.decode(), "feedback")


def test_a_student_without_classes_is_told_so(personas):
    Enrollment.objects.filter(user=personas.ada).update(end_date=timezone.localdate() - DAY)
    html = client_for(personas.ada).get("/work/").content.decode()
    assert "You are not in any class right now" in html


@pytest.mark.parametrize("persona", ["sam", "jordan", "rivera", "nguyen", "priya", "library"])
def test_my_work_does_not_exist_for_people_who_are_not_students(personas, persona):
    assert client_for(getattr(personas, persona)).get("/work/").status_code == 404


def test_my_work_asks_anonymous_visitors_to_sign_in(db):
    response = Client().get("/work/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def more_classes(personas, count: int) -> list:
    classes = []
    for n in range(count):
        course = community_services.course_create(
            organisation=personas.school, title=f"Elective {n}"
        )
        school_class = community_services.class_create(
            course=course, school=personas.school, title=f"Elective {n}", terms=[personas.term]
        )
        community_services.enrollment_add(
            user=personas.rivera, school_class=school_class, role=EnrollmentRole.TEACHER
        )
        community_services.enrollment_add(
            user=personas.ada, school_class=school_class, role=EnrollmentRole.STUDENT
        )
        classes.append(school_class)
    return classes


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_my_work_runs_the_same_queries_for_1_or_8_classes_and_3_or_40_assignments(
    personas, media_root
):
    client = client_for(personas.ada)
    for n in range(3):
        work = assignment(personas.homeroom5, f"Small {n}", due_in=(n - 1) * DAY)
    hand_in(personas.ada, work)
    give_feedback(work, personas.ada)
    small = queries_for(client, "/work/")

    classes = [personas.homeroom5, *more_classes(personas, 7)]
    for n in range(37):
        work = assignment(classes[n % 8], f"Big {n}", due_in=(n % 5 - 2) * DAY)
        if n % 3 == 0:
            hand_in(personas.ada, work)
        if n % 6 == 0:
            give_feedback(work, personas.ada)
    big_html = client.get("/work/").content.decode()
    assert big_html.count('class="work-title"') >= 40
    assert queries_for(client, "/work/") == small


# --- the assignment page, as its student sees it -------------------------------------------------


def test_the_student_sees_the_assignment_with_instructions_and_materials(personas, media_root):
    water = topic(personas.homeroom5, "The water cycle")
    work = assignment(
        personas.homeroom5,
        "Water cycle poster",
        topic=water,
        instructions="<p>Draw <strong>all four</strong> stages.</p><script>alert(1)</script>",
    )
    link = material_link(work)
    sheet = material_file(work)
    html = client_for(personas.ada).get(page_of(work)).content.decode()
    assert '<h1 class="page-title">Water cycle poster</h1>' in html
    assert "Grade 5 Homeroom · The water cycle" in html
    assert "<p>Draw <strong>all four</strong> stages.</p>" in html
    assert "<script>alert(1)" not in html
    assert f'href="{link.url}"' in html
    assert f'href="{reverse("classwork:material_file", args=[sheet.pk])}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "Not yet due" in html


def test_due_times_show_in_the_viewers_time_zone(personas, media_root):
    work = assignment(personas.homeroom5)
    work.due_at = dt.datetime(2030, 3, 14, 14, 30, tzinfo=dt.UTC)
    work.save()
    personas.ada.timezone = "Asia/Tokyo"
    personas.ada.save()
    html = client_for(personas.ada).get(page_of(work)).content.decode()
    assert "Thursday, March 14, 11:30 p.m." in html
    personas.ada.timezone = "America/Chicago"
    personas.ada.save()
    html = client_for(personas.ada).get(page_of(work)).content.decode()
    assert "Thursday, March 14, 9:30 a.m." in html


def test_handing_in_from_the_page_adds_an_attempt_and_shows_the_history(personas, media_root):
    work = assignment(personas.homeroom5)
    client = client_for(personas.ada)
    response = client.post(
        page_of(work), {"text": "My first try", "link": "", "file": upload("poster.pdf", PDF)}
    )
    assert response.status_code == 302
    assert response["Location"] == page_of(work)
    response = client.post(page_of(work), {"text": "Better now", "link": "https://example.org/a"})
    html = client.get(page_of(work)).content.decode()
    attempts = section(html, "attempts")
    assert attempts.index("Attempt 2") < attempts.index("Attempt 1")
    assert "My first try" in attempts
    assert "Better now" in attempts
    submission = Submission.objects.get(student=personas.ada, attempt=1)
    assert reverse("classwork:submission_file", args=[submission.pk]) in attempts
    assert "poster.pdf" in attempts
    assert "Hand in again" in html
    assert "Handed in" in html


def test_handing_in_late_says_so(personas, media_root):
    work = assignment(personas.homeroom5, due_in=-DAY)
    client = client_for(personas.ada)
    html = client.get(page_of(work)).content.decode()
    assert "Missing" in html
    assert "it will show as late" in html
    response = client.post(page_of(work), {"text": "Sorry it is late"}, follow=True)
    html = response.content.decode()
    assert "Handed in after the due time" in html
    assert 'badge badge-warning">Late<' in section(html, "attempts")
    assert "Handed in late" in html


def test_a_bad_hand_in_names_the_field_and_changes_nothing(personas, media_root):
    work = assignment(personas.homeroom5)
    client = client_for(personas.ada)
    response = client.post(
        page_of(work), {"text": "See file", "link": "", "file": upload("essay.pdf", EXE)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_file_error"' in html
    assert "does not match its name" in html
    assert "See file" in html  # what the student wrote is kept
    assert not Submission.objects.exists()
    response = client.post(page_of(work), {"text": "", "link": "nope"})
    html = response.content.decode()
    assert 'id="id_link_error"' in html
    assert "https://" in html
    assert not Submission.objects.exists()


def test_returned_feedback_shows_comment_rubric_levels_and_grade(personas, media_root):
    work = assignment(personas.homeroom5, rubric=rubric(personas.homeroom5), due_in=-DAY)
    hand_in(personas.ada, work, at=timezone.now() - 2 * DAY)
    feedback = give_feedback(
        work,
        personas.ada,
        comment="Clear diagram.\nLabel condensation.",
        score=Decimal(8),
        levels={"Science": "Secure", "Presentation": "Developing"},
    )
    client = client_for(personas.ada)
    html = section(client.get(page_of(work)).content.decode(), "feedback")
    assert "Clear diagram.<br>Label condensation." in html
    assert "Grade: 8 out of 10 (80%)" in html
    assert re.search(r"Science</td>\s*<td[^>]*>Secure", html)
    assert re.search(r"Presentation</td>\s*<td[^>]*>Developing", html)
    assert "5 of 5" in html
    assert "3 of 5" in html
    assert list(FeedbackSeen.objects.values_list("feedback_id", "user_id")) == [
        (feedback.pk, personas.ada.pk)
    ]
    client.get(page_of(work))
    assert FeedbackSeen.objects.count() == 1


def test_draft_feedback_stays_with_the_teacher(personas, media_root):
    work = assignment(personas.homeroom5)
    hand_in(personas.ada, work)
    give_feedback(work, personas.ada, comment="Draft thought", returned=False)
    html = client_for(personas.ada).get(page_of(work)).content.decode()
    assert "Draft thought" not in html
    assert not FeedbackSeen.objects.exists()


def test_the_students_own_view_is_not_audited(personas, media_root):
    work = assignment(personas.homeroom5)
    client_for(personas.ada).get(page_of(work))
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("change", [{"status": "inactive"}, {"assigned_ago": -DAY}])
def test_drafts_and_scheduled_work_do_not_exist_for_students(personas, media_root, change):
    work = assignment(personas.homeroom5, **change)
    client = client_for(personas.ada)
    assert client.get(page_of(work)).status_code == 404
    assert client.post(page_of(work), {"text": "x"}).status_code == 404
    assert not Submission.objects.exists()


def test_staff_of_the_class_are_sent_to_the_teachers_page(personas, media_root):
    work = assignment(personas.homeroom5)
    response = client_for(personas.rivera).get(page_of(work))
    assert response.status_code == 302
    assert response["Location"] == f"/work/classes/{personas.homeroom5.pk}/assignments/{work.pk}/"


# --- the assignment page, as a guardian sees it --------------------------------------------------


def test_a_guardian_sees_their_childs_status_feedback_and_grade(personas, media_root):
    work = assignment(personas.homeroom5, rubric=rubric(personas.homeroom5), due_in=-DAY)
    hand_in(personas.ada, work, at=timezone.now() - 2 * DAY)
    feedback = give_feedback(
        work, personas.ada, comment="Great poster!", levels={"Science": "Secure"}
    )
    html = client_for(personas.sam).get(page_of(work)).content.decode()
    # Sam reads Village in Spanish.
    assert "La tarea de Ada" in html
    assert "Great poster!" in html
    assert "Calificación: 8 de 10" in html
    assert "Secure" in html
    assert "Leo" not in html
    assert "<form" not in html.split("<main", 1)[1]  # no hand-in form for guardians
    assert FeedbackSeen.objects.filter(feedback=feedback, user=personas.sam).exists()


def test_a_guardian_without_the_grades_scope_sees_the_comment_but_no_grade(personas, media_root):
    work = assignment(personas.science8, rubric=rubric(personas.science8), due_in=-DAY)
    hand_in(personas.leo, work, at=timezone.now() - 2 * DAY)
    feedback = give_feedback(
        work,
        personas.leo,
        comment="Check your units.",
        score=Decimal(7),
        levels={"Science": "Developing", "Presentation": "Secure"},
    )
    html = client_for(personas.jordan).get(page_of(work)).content.decode()
    assert f"Leo{APOSTROPHE}s work" in html
    assert "Check your units." in html
    assert "Grade:" not in html
    assert "7 out of 10" not in html
    assert "Developing" not in html
    assert "3 of 5" not in html
    assert "Grades for Leo are not part of what the school shares with you." in html
    assert FeedbackSeen.objects.filter(feedback=feedback, user=personas.jordan).exists()
    assert not FeedbackSeen.objects.filter(user=personas.leo).exists()


def test_a_guardians_view_is_audited_once_per_request_for_each_child_shown(personas, media_root):
    # A second child of Sam's in the same class: both are shown, both are audited.
    second = community_services.person_create(
        username="tayo",
        first_name="Tayo",
        last_name="Okoye",
        role=Role.STUDENT,
        organisation=personas.school,
        grade="8",
    )
    community_services.enrollment_add(
        user=second, school_class=personas.science8, role=EnrollmentRole.STUDENT
    )
    community_services.guardian_link(guardian=personas.sam, student=second)
    work = assignment(personas.science8)
    client = client_for(personas.sam)
    with CaptureQueriesContext(connection) as captured:
        html = client.get(page_of(work)).content.decode()
    inserts = [q for q in captured.captured_queries if 'INSERT INTO "core_auditevent"' in q["sql"]]
    assert len(inserts) == 1
    assert "La tarea de Leo" in html  # Sam reads Village in Spanish
    assert "La tarea de Tayo" in html
    events = AuditEvent.objects.order_by("student_id")
    assert [(e.actor_id, e.student_id, e.action, e.organisation_id) for e in events] == sorted(
        [
            (personas.sam.pk, personas.leo.pk, AuditAction.VIEW_STUDENT, personas.school.pk),
            (personas.sam.pk, second.pk, AuditAction.VIEW_STUDENT, personas.school.pk),
        ],
        key=lambda row: row[1],
    )
    assert events[0].path == page_of(work)


def test_guardians_do_not_see_work_kept_from_families(personas, media_root):
    work = assignment(personas.science8, visible_to_families=False)
    assert client_for(personas.sam).get(page_of(work)).status_code == 404
    assert client_for(personas.leo).get(page_of(work)).status_code == 200
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "access",
    [{"scopes": [Scope.GOALS], "no_access": False}, {"scopes": list(Scope), "no_access": True}],
)
def test_a_guardian_whose_link_does_not_allow_classwork_gets_404(personas, media_root, access):
    link = GuardianLink.objects.get(guardian=personas.sam, student=personas.ada)
    community_services.guardian_link_set_access(link=link, **access)
    work = assignment(personas.homeroom5)
    give_feedback(work, personas.ada, comment="Only for those allowed")
    response = client_for(personas.sam).get(page_of(work))
    assert response.status_code == 404
    assert "Only for those allowed" not in response.content.decode()
    assert not AuditEvent.objects.exists()
    assert not FeedbackSeen.objects.exists()


def test_a_guardian_cannot_hand_in_for_a_child(personas, media_root):
    work = assignment(personas.homeroom5)
    response = client_for(personas.sam).post(page_of(work), {"text": "Done by mum"})
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_a_guardian_is_shown_what_the_child_handed_in(personas, media_root):
    work = assignment(personas.homeroom5)
    submission = submission_hand_in(
        student=personas.ada, assignment=work, text="First draft", file=upload("a.pdf", PDF)
    )
    html = client_for(personas.sam).get(page_of(work)).content.decode()
    assert "First draft" in html
    assert f"/work/submissions/{submission.pk}/file/" in html
    assert "Entregada" in html  # "Handed in", in Sam's Spanish
