"""The teacher's classwork pages: the class stream, posting and managing work, the gradebook, the
grading flow, and the class's topics, events, grading categories and rubrics.

Views are thin: they load the class through ``policies.class_for_staff`` (a class the user does
not see as staff is a 404), read through ``selectors_teacher`` and write through ``services``.
Teachers and aides of the class change things; admins of its school see the pages read-only, and
a change they send is refused (403). Pages that show students' work write one audit entry per
student shown, in one INSERT.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format, get_format, localize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from village.accounts.models import User
from village.classwork import policies, richtext, selectors_teacher, services
from village.classwork.forms_teacher import (
    AssignmentForm,
    EventForm,
    FeedbackForm,
    GradebookFilterForm,
    RubricForm,
    TopicForm,
    assignment_initial,
    category_formset,
    event_initial,
    feedback_initial,
)
from village.classwork.grades import CourseGrade, Trend
from village.classwork.models import Assignment, ClassEvent, Rubric, Topic
from village.classwork.status import WorkStatus
from village.community.models import SchoolClass
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction

GET_POST = ["GET", "POST"]


def _viewer(request: HttpRequest) -> User:
    """The signed-in user (every view here requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _class_to_manage(user: User, class_id: int) -> SchoolClass:
    """A class the user teaches; 404 if they do not see it as staff, 403 if they only view it."""
    school_class = policies.class_for_staff(user, class_id)
    if not policies.teaches(user, school_class):
        raise PermissionDenied(_("Only the class's teachers change its work."))
    return school_class


def _audit_students(
    request: HttpRequest, user: User, school_class: SchoolClass, student_ids: list[int]
) -> None:
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(student_id=student_id, organisation_id=school_class.school_id)
            for student_id in student_ids
        ],
        request=request,
    )


# --- the class stream and settings ----------------------------------------------------------


@login_required
@require_GET
def class_stream(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _viewer(request)
    school_class = policies.class_for_staff(user, class_id)
    context = {
        "school_class": school_class,
        "manage": policies.teaches(user, school_class),
        "stream": selectors_teacher.class_stream(school_class, now=timezone.now()),
        "now": timezone.now(),
    }
    return render(request, "classwork/teacher/class_stream.html", context)


@login_required
@require_http_methods(GET_POST)
def class_settings(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's grading categories and their weights."""
    user = _viewer(request)
    school_class = _class_to_manage(user, class_id)
    formset = category_formset(school_class, request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        changes = [change for form in formset.forms if (change := form.change()) is not None]
        try:
            services.categories_save(school_class=school_class, changes=changes)
        except ValidationError as error:
            errors = [message for found in error.message_dict.values() for message in found]
        else:
            messages.success(request, _("Grading categories saved."))
            return redirect("classwork:class_settings", school_class.pk)
    context = {
        "school_class": school_class,
        "formset": formset,
        "errors": errors,
        "weights": selectors_teacher.category_weights(school_class),
        "manage": True,
    }
    return render(request, "classwork/teacher/class_settings.html", context)


@login_required
@require_http_methods(GET_POST)
def topic_new(request: HttpRequest, class_id: int) -> HttpResponse:
    return _topic_form(request, class_id, None)


@login_required
@require_http_methods(GET_POST)
def topic_edit(request: HttpRequest, class_id: int, topic_id: int) -> HttpResponse:
    return _topic_form(request, class_id, topic_id)


def _topic_form(request: HttpRequest, class_id: int, topic_id: int | None) -> HttpResponse:
    user = _viewer(request)
    school_class = _class_to_manage(user, class_id)
    topic = selectors_teacher.class_topic(school_class, topic_id) if topic_id else None
    initial = (
        {"title": topic.title, "summary": topic.summary}
        | {"starts_on": topic.starts_on, "ends_on": topic.ends_on}
        if topic
        else {"starts_on": timezone.localdate()}
    )
    form = TopicForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid() and _save_topic(form, school_class, topic):
        messages.success(request, _("Topic saved."))
        return redirect("classwork:class_stream", school_class.pk)
    context = {"school_class": school_class, "form": form, "topic": topic, "manage": True}
    return render(request, "classwork/teacher/topic_form.html", context)


def _save_topic(form: TopicForm, school_class: SchoolClass, topic: Topic | None) -> bool:
    data = form.cleaned_data
    fields = {key: data[key] for key in ("title", "summary", "starts_on", "ends_on")}
    try:
        if topic is None:
            services.topic_create(school_class=school_class, **fields)
        else:
            services.topic_update(topic=topic, **fields)
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    return True


@login_required
@require_http_methods(GET_POST)
def topic_delete(request: HttpRequest, class_id: int, topic_id: int) -> HttpResponse:
    """Ask before deleting (GET shows the question, changing nothing); POST deletes."""
    school_class = _class_to_manage(_viewer(request), class_id)
    topic = selectors_teacher.class_topic(school_class, topic_id)
    return _confirm_delete(
        request,
        school_class,
        topic.title,
        lambda: services.topic_delete(topic=topic),
        "classwork/teacher/topic_delete.html",
        {"topic": topic},
    )


def _confirm_delete(
    request: HttpRequest,
    school_class: SchoolClass,
    title: str,
    delete: Callable[[], None],
    template: str,
    context: dict[str, Any],
    *,
    done: str | None = None,
) -> HttpResponse:
    """GET shows the question (changing nothing); POST deletes and returns to the class (or to
    ``done``). A deletion the service refuses shows the question again, with the reason."""
    errors: list[str] = []
    if request.method == "POST":
        try:
            delete()
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("“%(title)s” is deleted.") % {"title": title})
            return redirect(done or reverse("classwork:class_stream", args=[school_class.pk]))
    return render(
        request,
        template,
        {"school_class": school_class, "manage": True, "errors": errors, **context},
    )


def _class_event(school_class: SchoolClass, event_id: int) -> ClassEvent:
    """An event of the class, or ``Http404`` (an event of another class included)."""
    return get_object_or_404(ClassEvent, pk=event_id, school_class=school_class)


@login_required
@require_http_methods(GET_POST)
def event_new(request: HttpRequest, class_id: int) -> HttpResponse:
    return _event_form(request, class_id, None)


@login_required
@require_http_methods(GET_POST)
def event_edit(request: HttpRequest, class_id: int, event_id: int) -> HttpResponse:
    return _event_form(request, class_id, event_id)


def _event_form(request: HttpRequest, class_id: int, event_id: int | None) -> HttpResponse:
    user = _viewer(request)
    school_class = _class_to_manage(user, class_id)
    event = _class_event(school_class, event_id) if event_id else None
    form = EventForm(
        request.POST if request.method == "POST" else None,
        initial=event_initial(event) if event else None,
    )
    if request.method == "POST" and form.is_valid() and _save_event(form, school_class, event):
        if event is None:
            messages.success(request, _("Event added to the class calendar."))
        else:
            messages.success(request, _("Event saved."))
        return redirect("classwork:class_stream", school_class.pk)
    context = {"school_class": school_class, "form": form, "event": event, "manage": True}
    return render(request, "classwork/teacher/event_form.html", context)


def _save_event(form: EventForm, school_class: SchoolClass, event: ClassEvent | None) -> bool:
    try:
        if event is None:
            services.class_event_create(school_class=school_class, **form.cleaned_data)
        else:
            services.class_event_update(event=event, **form.cleaned_data)
    except ValidationError as error:
        if event is not None:
            event.refresh_from_db()
        form.add_service_errors(error)
        return False
    return True


@login_required
@require_http_methods(GET_POST)
def event_delete(request: HttpRequest, class_id: int, event_id: int) -> HttpResponse:
    """Ask before deleting (GET shows the question, changing nothing); POST deletes."""
    school_class = _class_to_manage(_viewer(request), class_id)
    event = _class_event(school_class, event_id)
    return _confirm_delete(
        request,
        school_class,
        event.title,
        lambda: services.class_event_delete(event=event),
        "classwork/teacher/event_delete.html",
        {"event": event},
    )


# --- the class's rubrics ---------------------------------------------------------------------


def _class_rubric(school_class: SchoolClass, rubric_id: int) -> Rubric:
    """A rubric of the class, or ``Http404`` (a rubric of another class included)."""
    return get_object_or_404(Rubric, pk=rubric_id, school_class=school_class)


def _rubric_uses(rubric: Rubric) -> int:
    """How many pieces of work are graded with the rubric."""
    return Assignment.objects.filter(rubric=rubric).count()


@login_required
@require_GET
def rubrics(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's rubrics, with their criteria, levels and points, and the work they grade."""
    school_class = _class_to_manage(_viewer(request), class_id)
    context = {
        "school_class": school_class,
        "rubrics": selectors_teacher.class_rubrics(school_class),
        "manage": True,
    }
    return render(request, "classwork/teacher/rubrics.html", context)


@login_required
@require_http_methods(GET_POST)
def rubric_new(request: HttpRequest, class_id: int) -> HttpResponse:
    return _rubric_form(request, class_id, None)


@login_required
@require_http_methods(GET_POST)
def rubric_edit(request: HttpRequest, class_id: int, rubric_id: int) -> HttpResponse:
    return _rubric_form(request, class_id, rubric_id)


def _rubric_form(request: HttpRequest, class_id: int, rubric_id: int | None) -> HttpResponse:
    """Write or edit a rubric. Once work was scored on it, only its title changes: the page
    shows its criteria without fields, and sends the title alone."""
    school_class = _class_to_manage(_viewer(request), class_id)
    rubric = _class_rubric(school_class, rubric_id) if rubric_id else None
    posted = request.method == "POST"
    form = RubricForm(request.POST if posted else None, rubric=rubric)
    # "More criteria" and "More levels" show the form again; only "Save" writes.
    saving = posted and not ({"more_criteria", "more_levels"} & set(request.POST))
    if saving and form.is_valid():
        saved = _save_rubric(form, school_class, rubric)
        if saved is not None:
            messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
            return redirect("classwork:rubrics", school_class.pk)
    context = {
        "school_class": school_class,
        "form": form,
        "rubric": rubric,
        "scored": rubric is not None and services.rubric_is_scored(rubric),
        "uses": _rubric_uses(rubric) if rubric is not None else 0,
        "manage": True,
    }
    return render(request, "classwork/teacher/rubric_form.html", context)


def _save_rubric(
    form: RubricForm, school_class: SchoolClass, rubric: Rubric | None
) -> Rubric | None:
    """Create or update the rubric; on bad input put the errors on the form and save nothing."""
    title = form.cleaned_data["title"]
    try:
        if rubric is None:
            return services.rubric_create(
                school_class=school_class, title=title, criteria=form.new_criteria()
            )
        return services.rubric_update(rubric=rubric, title=title, criteria=form.criteria())
    except ValidationError as error:
        if rubric is not None:
            rubric.refresh_from_db()
        form.add_service_errors(error)
        return None


@login_required
@require_http_methods(GET_POST)
def rubric_delete(request: HttpRequest, class_id: int, rubric_id: int) -> HttpResponse:
    """Ask before deleting (GET shows the question, changing nothing); POST deletes, unless work
    is graded with the rubric."""
    school_class = _class_to_manage(_viewer(request), class_id)
    rubric = _class_rubric(school_class, rubric_id)
    return _confirm_delete(
        request,
        school_class,
        rubric.title,
        lambda: services.rubric_delete(rubric=rubric),
        "classwork/teacher/rubric_delete.html",
        {"rubric": rubric, "uses": _rubric_uses(rubric)},
        done=reverse("classwork:rubrics", args=[school_class.pk]),
    )


# --- posting and managing work ---------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def assignment_new(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _viewer(request)
    school_class = _class_to_manage(user, class_id)
    return _assignment_form(request, user, school_class, None)


@login_required
@require_http_methods(GET_POST)
def assignment_edit(request: HttpRequest, class_id: int, assignment_id: int) -> HttpResponse:
    user = _viewer(request)
    school_class = _class_to_manage(user, class_id)
    work = selectors_teacher.class_assignment(school_class, assignment_id)
    return _assignment_form(request, user, school_class, work)


def _assignment_form(
    request: HttpRequest, user: User, school_class: SchoolClass, work: Assignment | None
) -> HttpResponse:
    posted = request.method == "POST"
    initial = assignment_initial(work) if work else {"assign_at": timezone.now()}
    form = AssignmentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        school_class=school_class,
        assignment=work,
        initial=initial,
    )
    # "Preview" and "More criteria" show the form again; only "Save" writes.
    saving = posted and not ({"preview", "more_criteria"} & set(request.POST))
    if saving and form.is_valid():
        saved = _save_assignment(form, user, school_class, work)
        if saved is not None:
            _tell_about_sanitising(request, form.cleaned_data.get("instructions") or "")
            messages.success(request, _("“%(title)s” is saved.") % {"title": saved.title})
            return redirect("classwork:assignment_manage", school_class.pk, saved.pk)
    context = {
        "school_class": school_class,
        "form": form,
        "assignment": work,
        "manage": True,
        "preview": (
            richtext.render_instructions(request.POST.get("instructions", "")) if posted else None
        ),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "classwork/teacher/assignment_form.html", context)


def _save_assignment(
    form: AssignmentForm, user: User, school_class: SchoolClass, work: Assignment | None
) -> Assignment | None:
    """Create or update the work with its rubric and materials in one transaction; on bad input
    put the errors on the form and save nothing."""
    try:
        if work is None:
            return services.assignment_create(
                school_class=school_class,
                created_by=user,
                new_rubric=form.new_rubric(),
                materials=form.new_materials(),
                **form.fields_for_service(),
            )
        return services.assignment_update(
            assignment=work,
            new_rubric=form.new_rubric(),
            add_materials=form.new_materials(),
            remove_materials=form.removed_materials(),
            **form.fields_for_service(),
        )
    except ValidationError as error:
        if work is not None:
            work.refresh_from_db()
        form.add_service_errors(error)
        return None


def _tell_about_sanitising(request: HttpRequest, written: str) -> None:
    if richtext.is_html(written) and richtext.sanitise(written) != written.strip():
        messages.info(
            request,
            _(
                "Some formatting in the instructions is not kept (only simple formatting is). "
                "Check the instructions below as students and families will see them."
            ),
        )


@login_required
@require_GET
def assignment_manage(request: HttpRequest, class_id: int, assignment_id: int) -> HttpResponse:
    user = _viewer(request)
    school_class = policies.class_for_staff(user, class_id)
    work = selectors_teacher.class_assignment(school_class, assignment_id)
    page = selectors_teacher.assignment_page(work, now=timezone.now())
    _audit_students(request, user, school_class, [row.student.id for row in page.rows])
    context = {
        "school_class": school_class,
        "page": page,
        "manage": policies.teaches(user, school_class),
    }
    return render(request, "classwork/teacher/assignment_manage.html", context)


# --- the gradebook ---------------------------------------------------------------------------


@login_required
@require_GET
def gradebook(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _viewer(request)
    school_class = policies.class_for_staff(user, class_id)
    form = GradebookFilterForm(request.GET or None)
    attention = form.is_valid() and form.cleaned_data.get("show") == "attention"
    book = selectors_teacher.gradebook(
        school_class,
        now=timezone.now(),
        tz=timezone.get_current_timezone(),
        attention_only=attention,
    )
    _audit_students(request, user, school_class, [row.student.id for row in book.rows])
    context = {
        "school_class": school_class,
        "book": book,
        "grid": _grid(book),
        "headers": _column_headers(book, school_class),
        "form": form,
        "attention": attention,
        "manage": policies.teaches(user, school_class),
    }
    # The filter swaps only the results in with htmx; without JavaScript it loads the page.
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    template = "_gradebook_results.html" if partial else "gradebook.html"
    response = render(request, f"classwork/teacher/{template}", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _grid(
    book: selectors_teacher.Gradebook,
) -> list[tuple[SafeString, SafeString, SafeString]]:
    """The HTML of each row: the student's header cell, their course grade, and their cells (a
    link to the grading page holding the score or a status badge).

    Built in Python rather than in the template: a 35-by-40 gradebook has 1,400 cells, and
    rendering each through template tags and filters would take most of the page's time. The
    links come from one reversed pattern; every text is escaped once, and the inside of the
    cells that look alike (a badge, or the same score) is built once.
    """
    pattern = reverse("classwork:grade", args=[1111111111, 2222222222])
    start, end = pattern.split("2222222222")
    starts = [
        '<td class="gb-cell"><a href="' + start.replace("1111111111", str(work.id))
        for work in book.columns
    ]
    html = _CellHtml()
    rows = []
    for row in book.rows:
        student = f'{row.student.id}{end}">'
        cells = "".join(
            [
                f"{begin}{student}{html.content(cell)}</a></td>"
                for begin, cell in zip(starts, row.cells, strict=True)
            ]
        )
        # Every part is escaped above or by the helpers.
        rows.append((html.student(row), html.grade(row.grade), mark_safe(cells)))  # noqa: S308
    return rows


def _column_headers(book: selectors_teacher.Gradebook, school_class: SchoolClass) -> SafeString:
    """The header cell of each assignment: its title (a link to its page), due day and points.
    In Python for the same reason as the cells."""
    pattern = reverse("classwork:assignment_manage", args=[school_class.pk, 1111111111])
    scheduled, no_due = escape(_("Scheduled")), escape(_("No due date"))
    due, out_of = _("Due %(day)s"), " · " + _("/%(points)s")
    separator = get_format("DECIMAL_SEPARATOR")
    headers = []
    for work in book.columns:
        if not work.published:
            when = scheduled
        elif work.due_at is not None:
            day = date_format(timezone.localtime(work.due_at), "MONTH_DAY_FORMAT")
            when = escape(due % {"day": day})
        else:
            when = no_due
        if work.points is not None:
            points = services.points_text(work.points).replace(".", separator)
            when += escape(out_of % {"points": points})
        headers.append(
            format_html(
                '<th scope="col" class="gb-work"><a href="{}">{}</a>'
                '<span class="gb-meta">{}</span></th>',
                pattern.replace("1111111111", str(work.id)),
                work.title,
                when,
            )
        )
    return mark_safe("".join(headers))  # noqa: S308 - each header is built by format_html


class _CellHtml:
    """The HTML of a gradebook row's parts, with the labels translated and escaped once.

    The student's and grade cells say what the template said before they moved here: the same
    messages to translate, with the same escaping."""

    def __init__(self) -> None:
        label = {
            "missing": _("Missing"),
            "late": _("Late"),
            "to_grade": _("To grade"),
            "excused": _("Excused"),
            "returned": _("Returned, no grade"),
            "not_yet_due": _("Not yet due"),
            "draft": _("draft"),
            "changes": _("changes not returned"),
        }
        self.label = {key: escape(text) for key, text in label.items()}
        self.separator = escape(get_format("DECIMAL_SEPARATOR"))
        self.built: dict[selectors_teacher.GradebookCell, str] = {}
        # Messages the template wrote with {% translate %}: trusted, as there. (Outside the
        # f-strings, where makemessages would not find them.)
        no_grade, low = _("no grade yet"), _("(low)")
        self.no_grade = (
            '<td class="gb-grade"><span class="muted">—</span>'
            f'<span class="visually-hidden">{no_grade}</span></td>'
        )
        self.low = f'<span class="visually-hidden"> {low}</span>'
        self.trend = {
            Trend.UP: ("gb-trend", "↑"),
            Trend.DOWN: ("gb-trend gb-trend-down", "↓"),
            Trend.STEADY: ("gb-trend", "→"),
        }

    def student(self, row: selectors_teacher.GradebookRow) -> SafeString:
        """The row's header: the student's name and how much of their work is missing."""
        missing = ""
        if row.missing:
            count = ngettext("%(counter)s missing", "%(counter)s missing", row.missing) % {
                "counter": escape(localize(row.missing))
            }
            missing = f' <span class="gb-count">{count}</span>'
        name = escape(row.student.name)
        return mark_safe(f'<th scope="row" class="gb-student">{name}{missing}</th>')  # noqa: S308

    def grade(self, grade: CourseGrade) -> SafeString:
        """The course grade, flagged when low, with its trend."""
        if grade.percent is None:
            return mark_safe(self.no_grade)  # noqa: S308 - see __init__
        low = grade.is_low
        parts = [
            '<td class="gb-grade"><span class="gb-low">' if low else '<td class="gb-grade"><span>',
            f"{floatformat(grade.percent, '1')}&nbsp;%</span>",
            self.low if low else "",
            " ",
        ]
        trend = self.trend.get(grade.trend)
        if trend is not None:
            kind, arrow = trend
            parts.append(
                f'<span class="{kind}" aria-hidden="true">{arrow}</span>'
                f'<span class="visually-hidden">{escape(grade.trend.label)}</span>'
            )
        parts.append("</td>")
        return mark_safe("".join(parts))  # noqa: S308 - escaped above, or digits

    def number(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        # Digits and the (escaped) decimal separator: nothing left to escape.
        return services.points_text(value).replace(".", self.separator)

    def badge(self, kind: str, key: str) -> str:
        return f'<span class="badge{kind}">{self.label[key]}</span>'

    def draft(self, cell: selectors_teacher.GradebookCell) -> str:
        if not cell.draft:
            return ""
        return (
            f' <span class="gb-draft">{self.number(cell.score)}*'
            f'<span class="visually-hidden"> ({self.label["draft"]})</span></span>'
        )

    def changes(self, cell: selectors_teacher.GradebookCell) -> str:
        """The mark of returned feedback whose changes the student does not see yet."""
        if not cell.changes:
            return ""
        return (
            '<span class="gb-draft" aria-hidden="true">*</span>'
            f'<span class="visually-hidden"> ({self.label["changes"]})</span>'
        )

    def content(self, cell: selectors_teacher.GradebookCell) -> str:
        """The cell's link text, built once for each distinct cell."""
        built = self.built.get(cell)
        if built is None:
            built = self.built[cell] = self.build(cell)
        return built

    def build(self, cell: selectors_teacher.GradebookCell) -> str:
        status = cell.status
        if status == WorkStatus.GRADED:
            if cell.score is None:
                shown = f'✓<span class="visually-hidden">{self.label["returned"]}</span>'
            else:
                shown = self.number(cell.score)
            return shown + self.changes(cell)
        if status == WorkStatus.MISSING:
            return self.badge(" badge-danger", "missing")
        if status == WorkStatus.LATE:
            return self.badge(" badge-warning", "late") + self.draft(cell)
        if status == WorkStatus.SUBMITTED:
            return self.badge(" badge-info", "to_grade") + self.draft(cell)
        if status == WorkStatus.EXCUSED:
            return self.badge("", "excused")
        return (
            '<span aria-hidden="true">·</span>'
            f'<span class="visually-hidden">{self.label["not_yet_due"]}</span>'
        )


# --- the grading flow ------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def grade(request: HttpRequest, assignment_id: int, student_id: int) -> HttpResponse:
    """One student's work with the feedback form; "Return to student" saves and returns in one
    action, then moves on to the next student with work to grade."""
    user = _viewer(request)
    work = selectors_teacher.staff_assignment(user, assignment_id)
    school_class = work.school_class
    manage = policies.teaches(user, school_class)
    if request.method == "POST" and not manage:
        raise PermissionDenied(_("Only the class's teachers grade its work."))
    page = selectors_teacher.grading_page(work, student_id, now=timezone.now())
    form = FeedbackForm(
        request.POST if request.method == "POST" else None,
        criteria=page.criteria,
        points=work.points,
        initial=feedback_initial(page.feedback, page.chosen_levels),
    )
    if request.method == "POST" and request.POST.get("action") == "discard":
        services.feedback_draft_discard(assignment=work, student=page.student)
        messages.success(request, _("Your changes were discarded."))
        return redirect("classwork:grade", work.pk, page.student.pk)
    if request.method == "POST" and form.is_valid():
        returning = request.POST.get("action") == "return"
        if _save_feedback(form, work, page.student, user, returning=returning):
            return _after_feedback(request, work, page, returning=returning)
    _audit_students(request, user, school_class, [page.student.pk])
    context = {
        "school_class": school_class,
        "page": page,
        "form": form,
        "manage": manage,
    }
    return render(request, "classwork/teacher/grade.html", context)


def _save_feedback(
    form: FeedbackForm, work: Assignment, student: User, user: User, *, returning: bool
) -> bool:
    data = form.cleaned_data
    try:
        services.feedback_save(
            assignment=work,
            student=student,
            graded_by=user,
            score=None if form.criteria else data.get("score"),
            comment=data.get("comment") or "",
            rubric_levels=form.rubric_levels(),
            excused=bool(data.get("excused")),
            return_to_student=returning,
        )
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    return True


def _after_feedback(
    request: HttpRequest,
    work: Assignment,
    page: selectors_teacher.GradingPage,
    *,
    returning: bool,
) -> HttpResponse:
    name = page.student.display_name
    if not returning and page.feedback is not None and page.feedback.returned_at is not None:
        messages.success(
            request,
            _(
                "Changes saved for %(name)s. They still see the feedback you returned until you "
                "return it again."
            )
            % {"name": name},
        )
        return redirect("classwork:grade", work.pk, page.student.pk)
    if not returning:
        messages.success(request, _("Draft saved for %(name)s.") % {"name": name})
        return redirect("classwork:grade", work.pk, page.student.pk)
    messages.success(request, _("Returned to %(name)s.") % {"name": name})
    if page.next_ungraded_id is not None:
        return redirect("classwork:grade", work.pk, page.next_ungraded_id)
    messages.info(request, _("Every piece of work handed in has feedback now."))
    return redirect(reverse("classwork:assignment_manage", args=[work.school_class_id, work.pk]))
