"""The community pages: home, a student, a class, the audit log and the people of a school.

Views are thin: they load objects through ``policies`` (what a user may not see is a 404), build
the page with ``selectors`` and write through ``services``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from village.accounts.models import User
from village.accounts.services import invitation_send
from village.community import home_panels, link_defaults, policies, selectors, services
from village.community.forms import AuditFilterForm, PeopleFilterForm, PersonAddForm
from village.community.models import Relationship, Role
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import require_page

PAGE_SIZE = 50


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _viewer(request: HttpRequest) -> User:
    """The signed-in user (every view here requires a login)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- home ------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    roles = policies.roles_of(user)
    context: dict[str, Any] = {"roles": roles}
    home = home_panels.HomeData()
    if roles.has(Role.GUARDIAN):
        links = selectors.guardian_links(user, home_panels.link_values())
        home = home_panels.HomeData(guardian_links=links)
        context["children"] = _guardian_children(request, user, home.guardian_links)
    if roles.has(Role.STUDENT):
        context["student_classes"] = selectors.student_classes(user)
    if roles.has(Role.TEACHER) or roles.has(Role.AIDE):
        context["taught_classes"] = _taught_classes(request, user)
    if roles.has(Role.SCHOOL_ADMIN):
        context["school_overviews"] = selectors.school_overviews(user)
    if roles.has(Role.DISTRICT_ADMIN):
        context["district_overviews"] = selectors.district_overviews(user)
    if roles.has(Role.PARTNER):
        context["partner_organisations"] = selectors.partner_organisations(user)
    context["has_section"] = any(key in context for key in _SECTIONS)
    context["panels"] = home_panels.panels_for(request, user, set(roles.by_role), home)
    return render(request, "community/home.html", context)


_SECTIONS = (
    "children",
    "student_classes",
    "taught_classes",
    "school_overviews",
    "district_overviews",
    "partner_organisations",
)


def _guardian_children(
    request: HttpRequest, user: User, links: list[selectors.LinkedChild]
) -> SafeString:
    """The children's cards, rendered; showing them is a view of each child's record, so it is
    audited on every request, kept or not.

    The rendered cards are kept for ``CARDS_SECONDS`` under a key naming everything about the
    guardian's links and children (what the guardian may see, the children's names), so those
    are always current; the school directory on them (classes, teachers and contacts) is at
    most that old.
    """
    key = _cards_key(user, links)
    kept: tuple[str, list[tuple[int, int | None]]] | None = caches["pages"].get(key)
    if kept is None:
        cards = selectors.guardian_children(user)
        kept = (
            render_to_string("community/home/_guardian.html", {"children": cards}, request),
            [(card.student.pk, card.school.pk if card.school else None) for card in cards],
        )
        caches["pages"].set(key, kept, CARDS_SECONDS)
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(student_id=student, organisation_id=school) for student, school in kept[1]],
        request=request,
    )
    return mark_safe(kept[0])  # noqa: S308 - rendered by our own template just now or earlier


#: How long rendered child cards are kept (see ``_guardian_children``).
CARDS_SECONDS = 300
#: Bump when the cards' template or key changes.
CARDS_FORMAT = 1


def _cards_key(user: User, links: list[selectors.LinkedChild]) -> str:
    parts = [
        str(CARDS_FORMAT),
        str(user.pk),
        get_language() or "",
        timezone.get_current_timezone_name(),
    ]
    parts += [
        f"{link.link_id}|{link.updated_at.isoformat()}|{link.status}|{link.no_access:d}|"
        f"{','.join(sorted(link.allowed))}|{link.student_id}|{link.username}|{link.first_name}|"
        f"{link.preferred_name}|{link.last_name}|{link.grade}"
        for link in links
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return f"village.community.cards:{user.pk}:{digest}"


def _taught_classes(request: HttpRequest, user: User) -> list[selectors.TaughtClass]:
    """The teacher's classes with their rosters; each roster shown is audited."""
    classes = selectors.teacher_classes(user)
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_ROSTER,
        viewed=[
            _roster_viewed(taught.school_class.pk, taught.school_class.school_id)
            for taught in classes
        ],
        request=request,
    )
    return classes


def _roster_viewed(class_id: int, school_id: int) -> Viewed:
    return Viewed(
        student_id=None, organisation_id=school_id, object_type="class", object_id=str(class_id)
    )


# --- one student, one class ------------------------------------------------------------------


@login_required
def student_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    user = _viewer(request)
    student = policies.student_for_viewer(user, student_id, request=request)
    page = selectors.student_page(user, student)
    context = {"page": page, "own_link": None if page.as_staff else page.own_link(user)}
    return render(request, "community/student_detail.html", context)


@login_required
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    user = _viewer(request)
    school_class = policies.class_for_viewer(user, class_id)
    page = selectors.class_page(user, school_class)
    if page.full_roster:
        audit_views(
            actor_id=user.pk,
            action=AuditAction.VIEW_ROSTER,
            viewed=[_roster_viewed(school_class.pk, school_class.school_id)],
            request=request,
        )
    return render(request, "community/class_detail.html", {"page": page})


# --- audit log -------------------------------------------------------------------------------


@login_required
def audit_log(request: HtmxHttpRequest) -> HttpResponse:
    user = _viewer(request)
    require_page(policies.may_read_audit_log(user))
    form = AuditFilterForm(request.GET or None, viewer=user)
    student = form.cleaned_data.get("student") if form.is_valid() else None
    entries = selectors.audit_entries(user, student_id=student.pk if student else None)
    if student is not None:
        _audit_history_viewed(request, user, student)
    page = _page(request, entries)
    context = {
        "form": form,
        "page_obj": page,
        "rows": selectors.audit_rows(page),
        "query": _query_without_page(request),
    }
    return _render_filtered(
        request, "community/audit_log.html", "community/_audit_table.html", context
    )


def _audit_history_viewed(request: HttpRequest, user: User, student: User) -> None:
    """Reading who saw a student's record is itself recorded."""
    school = selectors.student_school(student.pk)
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_AUDIT,
        viewed=[Viewed(student_id=student.pk, organisation_id=school.pk if school else None)],
        request=request,
    )


def _render_filtered(
    request: HtmxHttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only its results when htmx asks (the filter form works without JS)."""
    wants_partial = bool(request.htmx) and not request.htmx.history_restore_request
    response = render(request, partial if wants_partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- people ----------------------------------------------------------------------------------


@login_required
def people(request: HtmxHttpRequest) -> HttpResponse:
    user = _viewer(request)
    require_page(policies.may_read_audit_log(user))
    form = PeopleFilterForm(request.GET or None, viewer=user)
    filters = form.cleaned_data if form.is_valid() else {}
    school = filters.get("school")
    rows = selectors.people_of_schools(
        user,
        search=filters.get("q", ""),
        role=filters.get("role", ""),
        school_id=school.pk if school else None,
    )
    page = _page(request, rows)
    _people_viewed(request, user, page)
    context = {"form": form, "page_obj": page, "query": _query_without_page(request)}
    return _render_filtered(
        request, "community/people.html", "community/_people_table.html", context
    )


def _people_viewed(request: HttpRequest, user: User, page: Page[Any]) -> None:
    """Each student listed on the page is a view of their record (the page's rows, loaded once
    for the template too)."""
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(student_id=row.user_id, organisation_id=row.organisation_id)
            for row in page.object_list
            if row.role == Role.STUDENT
        ],
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    require_page(policies.may_read_audit_log(user))
    form = PersonAddForm(request.POST or None, viewer=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = _create_person(form.cleaned_data)
            _invite(request, person)
        messages.success(
            request,
            _("%(name)s now has an account. An invitation was sent to %(email)s.")
            % {"name": person.display_name, "email": person.email},
        )
        return redirect("community:people")
    return render(request, "community/person_add.html", {"form": form})


def _create_person(data: dict[str, Any]) -> User:
    """The account, its role at the school and, for a guardian, the link to the student."""
    role = Role(data["role"])
    person = services.person_create(
        username=data["username"],
        first_name=data["first_name"],
        last_name=data["last_name"],
        role=role,
        organisation=data["school"],
        email=data["email"],
        preferred_name=data["preferred_name"],
        preferred_language=data["preferred_language"],
        grade=data["grade"] if role == Role.STUDENT else "",
    )
    if data.get("student") is not None:
        services.guardian_link(
            guardian=person,
            student=data["student"],
            relationship=Relationship(data.get("relationship") or Relationship.GUARDIAN),
            scopes=link_defaults.default_scopes(data["school"]),
        )
    return person


def _invite(request: HttpRequest, person: User) -> None:
    """Email the new person a link to choose a password (sent once the account is saved)."""
    invitation_send(
        user=person,
        invited_by=_viewer(request),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
