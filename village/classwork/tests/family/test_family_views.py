"""The family pages: the overview on the guardian's home page, the child page and the printable
summary — what each guardian sees, the audit trail they leave, and their query counts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import date_format

from village.accounts.models import User
from village.classwork import versions
from village.classwork.family.child import sparkline
from village.classwork.grades import CourseGrade, Trend
from village.classwork.models import FeedbackSeen, GradingCategory
from village.classwork.services.events import class_event_create
from village.classwork.tests.factories import assignment, hand_in
from village.classwork.tests.family.test_family_selectors import build_term, returned, topic
from village.community import services
from village.community.models import EnrollmentRole, GuardianLink, Relationship, Role
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

HOME = "/"


@pytest.fixture
def english(personas: Personas) -> Personas:
    """Sam reads Spanish; these tests read labels, so he reads English here."""
    User.objects.filter(pk=personas.sam.pk).update(preferred_language="en")
    personas.sam.preferred_language = "en"
    return personas


def get(user: User, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def child_url(student: User) -> str:
    return reverse("families:child", args=[student.pk])


def print_url(student: User) -> str:
    return reverse("families:child_print", args=[student.pk])


def section(html: str, heading_id: str) -> str:
    """The HTML of the section labelled by ``heading_id``."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def audit_inserts(queries: CaptureQueriesContext) -> int:
    return sum(
        1 for query in queries.captured_queries if query["sql"].startswith('INSERT INTO "core_')
    )


# --- the home page -----------------------------------------------------------------------------


class TestHomeOverview:
    def test_sam_sees_every_child_labelled_with_links_to_the_work(self, english):
        p = english
        term = build_term(p)
        html = get(p.sam, HOME)
        attention = section(html, "attention-heading")
        for child, work in (("Ada", term.spelling), ("Leo", term.reading_quiz)):
            link = reverse("classwork:assignment", args=[work.pk])
            item = rf'<span class="fam-child">{child}</span>((?!</li>).)*<a href="{link}">'
            assert re.search(item + work.title, attention, re.DOTALL), (child, work.title)
        assert "Grade 8 Math: grade 55%" in attention
        assert f'href="{child_url(p.leo)}#class-{p.math8.pk}"' in attention
        this_week = section(html, "this-week-heading")
        assert "Book report" in this_week
        assert "Water cycle poster" in this_week
        assert "Science fair plan" not in this_week
        feedback = section(html, "recent-feedback-heading")
        assert "Check how you split the line into equal parts." in feedback
        assert "6 out of 10 (60%)" in feedback
        assert "Class only reflection" not in html

    def test_the_overview_comes_before_the_children_cards_which_link_to_the_child_page(
        self, english
    ):
        p = english
        build_term(p)
        html = get(p.sam, HOME)
        assert html.index("family-overview-heading") < html.index("children-heading")
        cards = html[html.index("children-heading") :]
        assert f'<a href="{child_url(p.ada)}">Ada Okoye</a>' in cards
        assert f'<a href="{child_url(p.leo)}">Leo Okoye</a>' in cards

    def test_jordan_sees_leos_work_without_scores_and_nothing_of_ada(self, personas):
        p = personas
        build_term(p)
        html = get(p.jordan, HOME)
        overview = section(html, "family-overview-heading")
        assert "Reading quiz" in overview
        assert "Lab report: density" in overview
        assert "Ada" not in html
        assert "Spelling list 12" not in html
        assert "out of" not in overview
        assert "Low grade" not in overview
        assert "55%" not in overview

    def test_a_guardian_with_nothing_due_is_told_so(self, personas):
        html = get(personas.jordan, HOME)
        assert "Nothing needs attention right now" in html
        assert "Nothing is due in the next 7 days." in html

    def test_no_overview_for_staff_students_or_guardians_without_classwork(self, personas):
        p = personas
        build_term(p)
        for user in (p.rivera, p.nguyen, p.leo, p.library):
            assert "family-overview-heading" not in get(user, HOME)
        # Jordan's link allows classwork and goals: without both, no area of his has an overview.
        p.jordan.children_links.update(scope_classwork=False, scope_goals=False)
        html = get(p.jordan, HOME)
        assert "family-overview-heading" not in html
        assert "Leo Okoye" in html  # the child card is still there
        assert child_url(p.leo) not in html

    def test_showing_the_home_page_audits_each_child_once_in_one_insert(self, personas):
        p = personas
        build_term(p)
        client = Client()
        client.force_login(p.sam)
        before = AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        events = AuditEvent.objects.order_by("id")[before:]
        assert {event.student_id for event in events} == {p.ada.pk, p.leo.pk}
        assert len(events) == 2
        assert {event.action for event in events} == {AuditAction.VIEW_STUDENT}
        assert audit_inserts(queries) == 1

    def test_home_query_count_stays_constant_as_children_classes_and_work_grow(self, personas):
        p = personas
        build_term(p)
        client = Client()
        client.force_login(p.sam)
        client.get(HOME)  # warm the session and build the children's summaries
        with CaptureQueriesContext(connection) as few:
            client.get(HOME)
        few_rebuilt = _after_change(client, p)
        grow(p)
        client.get(HOME)
        with CaptureQueriesContext(connection) as many:
            html = client.get(HOME).content.decode()
        many_rebuilt = _after_change(client, p)
        assert "Zoe" in html
        assert "Robotics" in html
        assert "Robot show 2" in html
        assert len(many) == len(few), [q["sql"][:90] for q in many.captured_queries]
        # the first load after a change rebuilds every child's summary in a fixed number too
        assert len(many_rebuilt) == len(few_rebuilt) > len(few)


def _after_change(client: Client, p: Personas) -> CaptureQueriesContext:
    """The queries of the home page just after every child of Sam's has new work."""
    children = GuardianLink.objects.filter(guardian=p.sam).values_list("student_id", flat=True)
    versions.students_changed(children)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return captured


def grow(p: Personas, *, children: int = 2, classes: int = 3, work: int = 6) -> None:
    """More children for Sam, more classes and more work in every class, with feedback."""
    new_classes = []
    for index in range(classes):
        course = services.course_create(organisation=p.school, title=f"Robotics {index}")
        school_class = services.class_create(
            course=course, school=p.school, title=f"Robotics {index}", terms=[p.term]
        )
        services.enrollment_add(
            user=p.chen, school_class=school_class, role=EnrollmentRole.TEACHER, is_primary=True
        )
        GradingCategory.objects.create(school_class=school_class, name="Labs", weight=60)
        topic(school_class, f"Gears {index}", "How gears trade speed for force.")
        class_event_create(
            school_class=school_class,
            title=f"Robot show {index}",
            starts_at=timezone.now() + dt.timedelta(days=index + 1),
            location="Hall",
        )
        new_classes.append(school_class)
    kids = [p.ada, p.leo]
    for index in range(children):
        kid = services.person_create(
            username=f"zoe{index}",
            first_name=f"Zoe{index}",
            last_name="Okoye",
            role=Role.STUDENT,
            organisation=p.school,
            grade="6",
        )
        services.guardian_link(guardian=p.sam, student=kid, relationship=Relationship.MOTHER)
        kids.append(kid)
    for school_class in new_classes:
        for kid in kids:
            services.enrollment_add(
                user=kid, school_class=school_class, role=EnrollmentRole.STUDENT
            )
    for school_class in [p.homeroom5, p.science8, p.math8, *new_classes]:
        for index in range(work):
            due = -index - 1 if index % 2 else index + 1
            piece = assignment(school_class, f"{school_class.title} task {index}", due_in_days=due)
            for kid in kids:
                if index % 3 == 0:
                    hand_in(piece, kid, days_ago=1)
                    returned(piece, kid, score=7, comment="Keep going.", days_ago=0.5)


# --- the child page ----------------------------------------------------------------------------


class TestChildPage:
    def test_sam_sees_leos_classes_teachers_grades_topics_and_starters(self, english):
        p = english
        build_term(p)
        html = get(p.sam, child_url(p.leo))
        assert "<h1" in html
        assert "Leo Okoye" in html
        assert "Riverside K-8 School" in html
        assert "+1 555 0100" in html
        classes = section(html, f"class-{p.math8.pk}-title")
        assert "David Chen" in classes
        assert "Room 21" in classes
        assert "<strong>55%</strong>" in classes
        science = section(html, f"class-{p.science8.pk}-title")
        assert "The water cycle" in science
        assert "Evaporation, condensation and rain." in science
        assert "Rocks and minerals" not in html  # a past topic
        assert "Reading quiz" in section(html, "missing-heading")
        upcoming = section(html, "upcoming-heading")
        assert "Water cycle poster" in upcoming
        assert "Science fair plan" in upcoming
        feedback = section(html, "feedback-heading")
        assert "sources of error" in feedback
        assert "9 out of 10 (90%)" in feedback
        starters = section(html, "starters-heading")
        assert starters.count("<li>") == 4
        assert "Leo" in starters
        assert "“Lab report: density”" in starters
        assert f'href="{print_url(p.leo)}"' in html
        assert f'href="{reverse("calendar:manage")}"' in html
        assert "Add Leo\u2019s due dates to your phone\u2019s calendar" in html

    def test_grade_trend_is_in_words_and_a_labelled_sparkline(self, english):
        p = english
        for weeks_ago, score in ((4, 5), (3, 6), (2, 8), (1, 9)):
            work = assignment(
                p.homeroom5,
                f"Quiz {weeks_ago}",
                due_in_days=-7 * weeks_ago - 1,
                assigned_days_ago=7 * weeks_ago + 3,
            )
            returned(work, p.ada, score=score, days_ago=7 * weeks_ago)
        html = get(p.sam, child_url(p.ada))
        homeroom = section(html, f"class-{p.homeroom5.pk}-title")
        assert "Going up" in homeroom
        assert re.search(
            r'<svg class="fam-sparkline" role="img"[^>]*aria-label="Grade week by', homeroom
        )
        assert "50%, 55%" in homeroom

    def test_jordan_sees_leos_work_but_no_grades(self, personas):
        p = personas
        build_term(p)
        html = get(p.jordan, child_url(p.leo))
        assert "Reading quiz" in html
        assert "The water cycle" in html
        assert "but not scores or grades" in html
        assert "Grade now" not in html
        assert "out of" not in html
        assert "55%" not in html
        assert "90%" not in html
        assert "fam-sparkline" not in html

    def test_opening_the_page_is_audited_once_and_marks_nothing_seen(self, personas):
        p = personas
        build_term(p)
        client = Client()
        client.force_login(p.sam)
        seen = FeedbackSeen.objects.count()
        before = AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(child_url(p.leo)).status_code == 200
        (event,) = AuditEvent.objects.order_by("id")[before:]
        assert (event.actor_id, event.student_id, event.action, event.channel) == (
            p.sam.pk,
            p.leo.pk,
            AuditAction.VIEW_STUDENT,
            "web",
        )
        assert event.organisation_id == p.school.pk
        assert audit_inserts(queries) == 1
        assert FeedbackSeen.objects.count() == seen

    @pytest.mark.parametrize(
        ("viewer", "student"),
        [
            ("jordan", "ada"),
            ("eve", "leo"),
            ("olga", "ada"),
            ("rivera", "leo"),
            ("nguyen", "ada"),
            ("leo", "leo"),
        ],
    )
    def test_anyone_but_the_childs_guardian_gets_404_and_no_audit(self, personas, viewer, student):
        client = Client()
        client.force_login(getattr(personas, viewer))
        child = getattr(personas, student)
        before = AuditEvent.objects.count()
        for url in (child_url(child), print_url(child)):
            response = client.get(url)
            assert response.status_code == 404
            assert child.last_name.encode() not in response.content
        assert AuditEvent.objects.count() == before

    def test_anonymous_visitors_are_sent_to_sign_in(self, personas):
        for url in (child_url(personas.leo), print_url(personas.leo)):
            response = Client().get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")

    def test_a_child_with_nothing_current_says_so(self, english):
        html = get(english.sam, child_url(english.ada))
        assert "Nothing is missing." in html
        assert "Nothing current to ask Ada about yet." in html
        assert "No topic posted for this week." in html

    def test_child_page_query_count_stays_constant(self, personas):
        p = personas
        build_term(p)
        client = Client()
        client.force_login(p.sam)
        client.get(child_url(p.leo))
        # Measured with the page's sections built, not taken from what the last request kept.
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as few:
            client.get(child_url(p.leo))
        grow(p)
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as many:
            html = client.get(child_url(p.leo)).content.decode()
        assert "Robotics 2" in html
        assert "Gears 2" in html
        assert "Robot show 2" in html
        assert len(many) == len(few), [q["sql"][:90] for q in many.captured_queries]


# --- the printable summary ---------------------------------------------------------------------


class TestPrintableSummary:
    def test_summary_has_everything_for_a_conference_on_one_page(self, english):
        p = english
        build_term(p)
        html = get(p.sam, print_url(p.leo))
        summary = html[html.index('class="fam-print"') :]
        assert "Riverside K-8 School" in summary
        assert "Phone +1 555 0100" in summary
        assert f"Printed {date_format(timezone.localdate(), 'DATE_FORMAT')}," in summary
        for text in (
            "Grade 8 Math",
            "David Chen",
            "55%",
            "(low)",
            "Reading quiz",
            "Water cycle poster",
            "Science fair plan",
            "sources of error",
            "The water cycle",
        ):
            assert text in summary, text
        starters = section(summary, "summary-starters")
        assert starters.count("<li>") == 2
        assert re.search(r'<button type="button" class="button" data-print hidden>', summary)

    def test_summary_lists_are_capped_so_the_page_fits(self, english):
        p = english
        for index in range(12):
            assignment(
                p.homeroom5, f"Late sheet {index}", due_in_days=-index - 1, assigned_days_ago=20
            )
        html = get(p.sam, print_url(p.ada))
        missing = section(html, "summary-missing")
        assert missing.count("<li>") == 6
        assert "And 6 more." in missing

    def test_jordans_summary_has_no_grade_column(self, personas):
        p = personas
        build_term(p)
        html = get(p.jordan, print_url(p.leo))
        assert "Reading quiz" in html
        assert '<th scope="col">Grade</th>' not in html
        assert "55%" not in html
        assert "out of" not in html

    def test_printing_is_audited_like_the_page(self, personas):
        p = personas
        client = Client()
        client.force_login(p.sam)
        before = AuditEvent.objects.count()
        assert client.get(print_url(p.ada)).status_code == 200
        assert list(
            AuditEvent.objects.order_by("id")[before:].values_list("student_id", "action")
        ) == [(p.ada.pk, AuditAction.VIEW_STUDENT)]


def test_dates_are_in_the_guardians_time_zone(english):
    p = english
    User.objects.filter(pk=p.sam.pk).update(timezone="Pacific/Auckland")
    noon_utc = (timezone.now() + dt.timedelta(days=3)).replace(
        hour=12, minute=0, second=0, microsecond=0, tzinfo=dt.UTC
    )
    work = assignment(p.homeroom5, "Timed essay", due_in_days=2)
    work.due_at = noon_utc
    work.save()
    upcoming = section(get(p.sam, child_url(p.ada)), "upcoming-heading")
    auckland = noon_utc.astimezone(ZoneInfo("Pacific/Auckland"))  # past midnight: the next day
    chicago = noon_utc.astimezone(ZoneInfo("America/Chicago"))
    assert f"Due {dateformat.format(auckland, 'l F j')}" in upcoming
    assert f"Due {dateformat.format(chicago, 'l F j')}" not in upcoming


def test_sparkline_rises_with_the_grade_and_stays_flat_when_steady():
    week = dt.date(2026, 3, 2)
    rising = CourseGrade(
        Decimal(80), Trend.UP, ((week, Decimal(60)), (week, Decimal(70)), (week, Decimal(80)))
    )
    spark = sparkline(rising)
    assert spark is not None
    first_y = float(spark.points.split()[0].split(",")[1])
    assert float(spark.last_y) < first_y  # SVG y grows downwards
    assert spark.label == "Grade week by week: 60%, 70%, 80%"
    steady = sparkline(
        CourseGrade(Decimal(80), Trend.STEADY, ((week, Decimal(80)), (week, Decimal("80.4"))))
    )
    assert steady is not None
    ys = [float(point.split(",")[1]) for point in steady.points.split()]
    assert max(ys) - min(ys) < 2  # a wobble of 0.4 points is drawn nearly flat
    assert sparkline(CourseGrade(Decimal(80), Trend.NEW, ((week, Decimal(80)),))) is None
    assert sparkline(None) is None
