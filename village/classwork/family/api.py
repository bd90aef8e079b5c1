"""The family view in the JSON API, at ``/api/v1/family``: the overview across all of the caller's
children, and one child's page.

Guardians only see children whose link allows classwork; scores, percentages and course grades
appear only where the link also allows grades (otherwise they are ``null``). A child the caller
may not see answers 404, exactly as if it did not exist. Every answer that shows children's
records is written to the audit log (channel ``api``), one entry per child. What teachers wrote
comes twice: as written, and as the caller reads it (the ``_shown`` fields: a machine translation
into their language where one is ready, with its languages and any words left untranslated).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from village.accounts.api import api_caller
from village.accounts.api_auth import api_auth
from village.classwork.family import child as child_pages
from village.classwork.family import overview as overviews
from village.classwork.family import starters, translated
from village.classwork.family.child import ClassView
from village.classwork.family.overview import Attention, AttentionKind
from village.classwork.family.starters import StarterKind
from village.classwork.family.work import FamilyWork, TopicNow
from village.classwork.grades import CourseGrade, Trend
from village.classwork.status import WorkStatus
from village.community import policies
from village.community.models import Scope
from village.community.templatetags.content_lang import content_language
from village.core.api import READ, SIGNED_IN, Id
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.families import policies as family_policies
from village.families.surface import Child
from village.translation.texts import Translations

router = Router(auth=api_auth, tags=["family"])

#: Conversation starters in the child endpoint (as on the child page).
STARTERS = 4


# --- shapes ----------------------------------------------------------------------------------


class FamilyChildRef(Schema):
    id: int
    name: str = Field(description="The name the child goes by.")


class FamilyChildOut(FamilyChildRef):
    full_name: str
    grade: str = Field(description="School grade (year), e.g. 5.")
    grades_visible: bool = Field(
        description="Whether the caller may see this child's scores and course grades."
    )


class FamilyTextOut(Schema):
    """Something a teacher wrote, as the caller reads it."""

    text: str = Field(
        description="In the caller's language when a machine translation is ready; else as written."
    )
    language: str = Field(description="The language ``text`` is in.")
    translated: bool = Field(description="Machine-translated from the original.")
    uncertain: list[str] = Field(
        description="Words the engine could not translate (the translation is uncertain)."
    )
    original_language: str = Field(description="The language the teacher wrote in.")


class FamilyWorkOut(Schema):
    """One child's work on one assignment, as the caller may see it."""

    child: FamilyChildRef
    assignment_id: int
    title: str
    class_id: int
    class_title: str
    topic: str = Field(description="The topic or unit the work belongs to; empty if none.")
    due_at: dt.datetime | None
    status: WorkStatus = Field(description="Computed from the due time, attempts and feedback.")
    returned_at: dt.datetime | None = Field(description="When feedback was returned.")
    comment: str = Field(description="The teacher's comment; empty if none.")
    teacher: str = Field(description="Who returned the feedback; empty if unknown.")
    points: Decimal | None = Field(description="What the work is out of; null if ungraded.")
    score: Decimal | None = Field(description="Null unless the caller may see grades.")
    percent: Decimal | None = Field(description="Null unless the caller may see grades.")
    new_feedback: bool = Field(description="Returned feedback the caller has not opened yet.")
    url: str = Field(description="The assignment's page on the web.")
    title_shown: FamilyTextOut = Field(description="``title`` in the caller's language.")
    comment_shown: FamilyTextOut | None = Field(
        description="``comment`` in the caller's language; null without a comment."
    )


class FamilyAttentionOut(Schema):
    kind: AttentionKind
    child: FamilyChildRef
    class_id: int
    class_title: str
    work: FamilyWorkOut | None = Field(
        description="The piece of work; null for a low course grade."
    )
    grade: Decimal | None = Field(description="The course grade, for a low grade only.")


class FamilyOverviewOut(Schema):
    children: list[FamilyChildOut] = Field(
        description="Children whose classwork the caller may see."
    )
    needs_attention: list[FamilyAttentionOut] = Field(
        description=(
            "Missing work and late work due in the last six weeks, new feedback from the last "
            "four weeks, and classes whose grade is low (only where grades are visible)."
        )
    )
    this_week: list[FamilyWorkOut] = Field(
        description="Work due in the next seven days, soonest first."
    )
    recent_feedback: list[FamilyWorkOut] = Field(
        description="Feedback returned in the last two weeks, newest first (at most eight)."
    )


class FamilyGradePoint(Schema):
    week: dt.date = Field(description="The Monday of the week.")
    percent: Decimal = Field(description="The course grade at the end of that week.")


class FamilyGradeOut(Schema):
    percent: Decimal | None = Field(description="Null before any graded work.")
    low: bool
    trend: Trend
    history: list[FamilyGradePoint]


class FamilyTopicOut(Schema):
    id: int
    class_id: int
    class_title: str
    title: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date
    title_shown: FamilyTextOut = Field(description="``title`` in the caller's language.")
    summary_shown: FamilyTextOut | None = Field(
        description="``summary`` in the caller's language; null without a summary."
    )


class FamilyClassOut(Schema):
    id: int
    title: str
    location: str
    teachers: list[str]
    grade: FamilyGradeOut | None = Field(description="Null unless the caller may see grades.")
    topics: list[FamilyTopicOut] = Field(description="What the class studies today.")
    missing: int
    upcoming: int = Field(description="Pieces of work due in the next two weeks.")


class FamilySchoolOut(Schema):
    id: int
    name: str
    phone: str


class FamilyStarterOut(Schema):
    kind: StarterKind
    text: str = Field(description="A question to ask the child, in the caller's language.")


class FamilyChildPageOut(Schema):
    child: FamilyChildOut
    school: FamilySchoolOut | None
    classes: list[FamilyClassOut]
    missing: list[FamilyWorkOut] = Field(description="All missing work of current classes.")
    upcoming: list[FamilyWorkOut] = Field(description="Work due in the next two weeks.")
    recent_feedback: list[FamilyWorkOut]
    topics: list[FamilyTopicOut]
    starters: list[FamilyStarterOut] = Field(description="Conversation starters for today.")


# --- shaping ---------------------------------------------------------------------------------


def _child_ref(child: Child) -> FamilyChildRef:
    return FamilyChildRef(id=child.id, name=child.name)


def _child_out(child: Child) -> FamilyChildOut:
    return FamilyChildOut(
        id=child.id,
        name=child.name,
        full_name=child.full_name,
        grade=child.grade,
        grades_visible=child.grades,
    )


def _shown(translations: Translations, place: int, text: str) -> FamilyTextOut | None:
    """``text`` written at ``place`` as the caller reads it; ``None`` for no text."""
    if not text:
        return None
    found = translations.get(place, text)
    if found is None:  # not looked up: as written, in the teachers' language
        language = content_language()
        return FamilyTextOut(
            text=text, language=language, translated=False, uncertain=[], original_language=language
        )
    return FamilyTextOut(
        text=found.text,
        language=found.language,
        translated=found.translated,
        uncertain=list(found.uncertain),
        original_language=found.original_language,
    )


def _work(work: FamilyWork, translations: Translations) -> FamilyWorkOut:
    title = _shown(translations, work.class_id, work.title)
    assert title is not None  # every piece of work has a title
    return FamilyWorkOut(
        title_shown=title,
        comment_shown=_shown(translations, work.class_id, work.comment),
        child=_child_ref(work.child),
        assignment_id=work.assignment_id,
        title=work.title,
        class_id=work.class_id,
        class_title=work.class_title,
        topic=work.topic_title,
        due_at=work.due_at,
        status=work.status,
        returned_at=work.returned_at,
        comment=work.comment,
        teacher=work.teacher,
        points=work.points,
        score=work.score,
        percent=work.percent,
        new_feedback=work.is_new,
        url=reverse("classwork:assignment", args=[work.assignment_id]),
    )


def _attention(item: Attention, translations: Translations) -> FamilyAttentionOut:
    return FamilyAttentionOut(
        kind=item.kind,
        child=_child_ref(item.child),
        class_id=item.class_id,
        class_title=item.class_title,
        work=_work(item.work, translations) if item.work else None,
        grade=item.grade,
    )


def _grade(grade: CourseGrade | None) -> FamilyGradeOut | None:
    if grade is None:
        return None
    return FamilyGradeOut(
        percent=grade.percent,
        low=grade.is_low,
        trend=grade.trend,
        history=[FamilyGradePoint(week=week, percent=value) for week, value in grade.history],
    )


def _topic(topic: TopicNow, translations: Translations) -> FamilyTopicOut:
    title = _shown(translations, topic.class_id, topic.title)
    assert title is not None  # every topic has a title
    return FamilyTopicOut(
        title_shown=title,
        summary_shown=_shown(translations, topic.class_id, topic.summary),
        id=topic.id,
        class_id=topic.class_id,
        class_title=topic.class_title,
        title=topic.title,
        summary=topic.summary,
        starts_on=topic.starts_on,
        ends_on=topic.ends_on,
    )


def _class(view: ClassView, translations: Translations) -> FamilyClassOut:
    return FamilyClassOut(
        id=view.id,
        title=view.title,
        location=view.location,
        teachers=view.teachers,
        grade=_grade(view.grade),
        topics=[_topic(topic, translations) for topic in view.topics],
        missing=view.missing,
        upcoming=view.upcoming,
    )


# --- endpoints -------------------------------------------------------------------------------


@router.get(
    "/overview",
    response={200: FamilyOverviewOut, **SIGNED_IN},
    operation_id="family_overview",
    summary="The family overview",
    description=(
        "Across all of the caller's children whose classwork they may see: what needs attention, "
        "what is due this week and recent feedback, each item labelled with the child. Scores "
        "and grades only where the caller's link allows grades. What teachers wrote (titles, "
        "comments) is also given as the caller reads it (``title_shown``, ``comment_shown``: "
        "machine-translated into their language once the translation is ready). Anyone who is "
        "not a guardian gets empty lists. Each child shown is written to the audit log."
    ),
)
def overview(request: HttpRequest) -> FamilyOverviewOut:
    user = api_caller(request)
    data = overviews.family_overview(user)
    if data.children:
        schools = policies.student_schools(child.id for child in data.children)
        audit_views(
            actor_id=user.pk,
            action=AuditAction.VIEW_STUDENT,
            viewed=[
                Viewed(
                    student_id=child.id,
                    organisation_id=schools[child.id].pk if child.id in schools else None,
                )
                for child in data.children
            ],
            request=request,
            channel="api",
        )
    shown = (
        translated.Wanted()
        .work([*data.this_week, *data.recent_feedback])
        .attention(data.needs_attention)
        .shown_to(user)
    )
    return FamilyOverviewOut(
        children=[_child_out(child) for child in data.children],
        needs_attention=[_attention(item, shown) for item in data.needs_attention],
        this_week=[_work(work, shown) for work in data.this_week],
        recent_feedback=[_work(work, shown) for work in data.recent_feedback],
    )


@router.get(
    "/children/{student_id}",
    response={200: FamilyChildPageOut, **READ},
    operation_id="family_child",
    summary="One child, as the family sees it",
    description=(
        "The child page's data: each class with its teachers, course grade and trend (only with "
        "the grades scope) and today's topics; missing work; work due in the next two weeks; "
        "recent feedback; and conversation starters in the caller's language. Titles, comments "
        "and topics come as written and as the caller reads them (the ``_shown`` fields). For "
        "guardians "
        "whose link allows classwork; 404 for anyone else. Written to the audit log."
    ),
)
def child_detail(request: HttpRequest, student_id: Id) -> FamilyChildPageOut:
    user = api_caller(request)
    child = family_policies.family_child_for_viewer(user, student_id, Scope.CLASSWORK)
    policies.student_for_viewer(
        user, student_id, scope=Scope.CLASSWORK, request=request, channel="api"
    )
    school = policies.student_schools([child.id]).get(child.id)
    page = child_pages.child_page(user, child)
    shown = translated.child_page(user, page)
    return FamilyChildPageOut(
        child=_child_out(child),
        school=(
            FamilySchoolOut(id=school.pk, name=school.name, phone=school.phone) if school else None
        ),
        classes=[_class(view, shown) for view in page.classes],
        missing=[_work(work, shown) for work in page.missing],
        upcoming=[_work(work, shown) for work in page.upcoming],
        recent_feedback=[_work(work, shown) for work in page.recent_feedback],
        topics=[_topic(topic, shown) for topic in page.topics],
        starters=[
            FamilyStarterOut(kind=starter.kind, text=starter.text)
            for starter in starters.for_child_page(page, limit=STARTERS)
        ],
    )
