"""A family sees what their child handed in (text, link and file), as the teacher sees it, on
their view of the piece of work: within the classwork area of the guardian's link, never for
another family's child."""

from __future__ import annotations

import pytest
from django.test import Client

from village.accounts.models import User
from village.classwork.models import Assignment, Submission
from village.classwork.services.submissions import submission_hand_in
from village.classwork.tests.test_student_support import (
    PDF,
    assignment,
    media_root,
    upload,
)
from village.community import services
from village.community.models import GuardianLink, Role, Scope
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db
__all__ = ["media_root"]

ANSWER = "Evaporation turns water into vapour.\nThen it condenses into clouds."
LINK = "https://example.org/ada/poster"


def hand_in_everything(student: User, work: Assignment) -> Submission:
    return submission_hand_in(
        student=student,
        assignment=work,
        text=ANSWER,
        link=LINK,
        file=upload("poster.pdf", PDF),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(work: Assignment) -> str:
    return f"/work/assignments/{work.pk}/"


def file_url(submission: Submission) -> str:
    return f"/work/submissions/{submission.pk}/file/"


@pytest.fixture
def handed_in(personas: Personas, media_root):
    """Ada's and Leo's hand-ins, each with text, a link and a file."""
    ada_work = assignment(personas.homeroom5, "Water cycle poster")
    leo_work = assignment(personas.science8, "Rock samples")
    return {
        "ada": (ada_work, hand_in_everything(personas.ada, ada_work)),
        "leo": (leo_work, hand_in_everything(personas.leo, leo_work)),
    }


def assert_shows_hand_in(html: str, submission: Submission) -> None:
    assert "Evaporation turns water into vapour.<br>Then it condenses into clouds." in html
    assert f'href="{LINK}" rel="noopener noreferrer nofollow"' in html
    assert f'href="{file_url(submission)}">poster.pdf</a>' in html


def test_sam_sees_what_ada_handed_in_and_downloads_her_file(personas, handed_in):
    work, submission = handed_in["ada"]
    client = client_for(personas.sam)
    html = client.get(page_url(work)).content.decode()
    assert_shows_hand_in(html, submission)
    assert "Lo que entregó Ada" in html  # Sam reads Spanish
    before = AuditEvent.objects.count()
    response = client.get(file_url(submission))
    assert response.status_code == 200
    assert response.getvalue() == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert [
        (event.actor_id, event.student_id, event.action)
        for event in AuditEvent.objects.order_by("id")[before:]
    ] == [(personas.sam.pk, personas.ada.pk, AuditAction.VIEW_STUDENT)]


def test_jordan_sees_leos_hand_in_within_his_classwork_area(personas, handed_in):
    work, submission = handed_in["leo"]
    client = client_for(personas.jordan)
    assert_shows_hand_in(client.get(page_url(work)).content.decode(), submission)
    assert client.get(file_url(submission)).status_code == 200
    ada_work, ada_submission = handed_in["ada"]
    assert client.get(page_url(ada_work)).status_code == 404
    assert client.get(file_url(ada_submission)).status_code == 404


@pytest.mark.parametrize("change", ["no_classwork", "no_access", "ended"])
def test_jordan_without_the_classwork_area_gets_404_for_the_page_and_the_file(
    personas, handed_in, change
):
    work, submission = handed_in["leo"]
    link = GuardianLink.objects.get(guardian=personas.jordan, student=personas.leo)
    if change == "no_classwork":
        services.guardian_link_set_access(link=link, scopes=[Scope.GOALS], no_access=False)
    elif change == "no_access":
        services.guardian_link_set_access(
            link=link, scopes=[Scope.CLASSWORK, Scope.GOALS], no_access=True
        )
    else:
        GuardianLink.objects.filter(pk=link.pk).update(status="ended")
    client = client_for(personas.jordan)
    assert client.get(page_url(work)).status_code == 404
    assert client.get(file_url(submission)).status_code == 404


def test_the_hand_in_of_work_not_shown_to_families_stays_hidden(personas, handed_in):
    work, submission = handed_in["ada"]
    Assignment.objects.filter(pk=work.pk).update(visible_to_families=False)
    client = client_for(personas.sam)
    assert client.get(page_url(work)).status_code == 404
    assert client.get(file_url(submission)).status_code == 404


@pytest.mark.parametrize("viewer", ["eve", "olga", "other_guardian", "maya", "leo"])
def test_other_families_and_students_get_404_for_the_page_and_the_file(personas, handed_in, viewer):
    if viewer == "other_guardian":
        user = services.person_create(
            username="lopez",
            first_name="Ana",
            last_name="Lopez",
            role=Role.GUARDIAN,
            organisation=personas.school,
        )
        services.guardian_link(guardian=user, student=personas.maya)  # Ada's classmate
    else:
        user = getattr(personas, viewer)
    work, submission = handed_in["ada"]
    client = client_for(user)
    page = client.get(page_url(work))
    if viewer in ("maya", "other_guardian"):
        # a classmate, or a classmate's guardian, sees the assignment, never Ada's hand-in
        assert page.status_code == 200
        html = page.content.decode()
        assert ANSWER.split("\n")[0] not in html
        assert file_url(submission) not in html
        assert "Ada" not in html
    else:
        assert page.status_code == 404
    assert client.get(file_url(submission)).status_code == 404


def test_a_guardian_sees_each_attempt_newest_first(personas, handed_in):
    work, _first = handed_in["ada"]
    submission_hand_in(student=personas.ada, assignment=work, text="Second try")
    html = client_for(personas.sam).get(page_url(work)).content.decode()
    assert html.index("Second try") < html.index("Evaporation turns water")
    assert "Intento 2" in html
    assert "Intento 1" in html


def test_a_guardian_sees_when_nothing_was_handed_in(personas, media_root):
    work = assignment(personas.homeroom5, "Nothing yet")
    html = client_for(personas.sam).get(page_url(work)).content.decode()
    assert "Ada todavía no ha entregado nada." in html


def test_a_childs_hand_in_closes_once_they_leave_the_class_though_a_sibling_stays(
    personas, media_root
):
    """Sam has Ada in the homeroom; Leo handed in there, then left: his file is not opened
    through Ada's enrolment (Jordan, who has only Leo, never could)."""
    import datetime as dt

    from django.utils import timezone

    from village.community.models import Enrollment, EnrollmentRole

    p = personas
    services.enrollment_add(user=p.leo, school_class=p.homeroom5, role=EnrollmentRole.STUDENT)
    work = assignment(p.homeroom5, "Fraction poster")
    leos = hand_in_everything(p.leo, work)
    assert client_for(p.sam).get(file_url(leos)).status_code == 200
    Enrollment.objects.filter(user=p.leo, school_class=p.homeroom5).update(
        end_date=timezone.localdate() - dt.timedelta(days=1)
    )
    assert client_for(p.sam).get(file_url(leos)).status_code == 404
    assert client_for(p.jordan).get(file_url(leos)).status_code == 404
    assert file_url(leos) not in client_for(p.sam).get(page_url(work)).content.decode()
