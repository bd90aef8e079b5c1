"""Staff pages of notifications: "Delivery problems" (what could not be delivered, and the
families Village cannot reach) with a way to send a failed message again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from village.accounts.models import User
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import require_page
from village.notifications.policies import failed_delivery_for_editor, may_see_delivery_problems
from village.notifications.selectors import problems
from village.notifications.services.deliveries import RetryRefusedError, delivery_retry


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def delivery_problems(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_page(may_see_delivery_problems(user))
    failed = Paginator(problems.failed_deliveries(user), problems.PAGE_SIZE).get_page(
        request.GET.get("failed")
    )
    families = Paginator(problems.unreachable_families(user), problems.PAGE_SIZE).get_page(
        request.GET.get("families")
    )
    failed_rows = problems.failed_rows(list(failed.object_list))
    family_rows = problems.family_rows(list(families.object_list))
    _students_viewed(request, user, failed_rows, family_rows)
    context = {
        "failed": failed,
        "failed_rows": failed_rows,
        "families": families,
        "family_rows": family_rows,
    }
    return render(request, "notifications/staff_problems.html", context)


def _students_viewed(
    request: HttpRequest,
    user: User,
    failed: list[problems.FailedRow],
    families: list[problems.FamilyRow],
) -> None:
    """A student named on the page (a failed delivery to them, a child of a family) is a view
    of their record, as on the people page: one audit entry per student."""
    viewed: dict[int, int | None] = {
        row.delivery.recipient_id: row.student_school
        for row in failed
        if row.student_school is not None and row.delivery.recipient_id is not None
    }
    for row in families:
        for link in row.links:
            viewed[link.student_id] = getattr(link, "student_school", None)
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(student_id=pk, organisation_id=school) for pk, school in sorted(viewed.items())
        ],
        request=request,
    )


@login_required
@require_POST
def delivery_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    delivery = failed_delivery_for_editor(user, pk)
    try:
        sent_again = delivery_retry(delivery=delivery)
    except RetryRefusedError:
        messages.error(
            request,
            _("%(name)s has no address to send this message to: add one first.")
            % {"name": delivery.recipient.display_name if delivery.recipient else ""},
        )
    else:
        messages.success(
            request,
            _("The message to %(address)s will be sent again in a moment.")
            % {"address": sent_again.address},
        )
    return redirect("notifications:delivery_problems")
