"""Who may reach which notification: only its recipient."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from village.accounts.models import User
from village.community.models import GuardianLink, LinkStatus, OrgRole, Role
from village.community.policies import administered_schools, roles_of, today
from village.core.policies import one_or_404
from village.notifications.models import Delivery, DeliveryState, Notification


def visible_notifications(user: User) -> QuerySet[Notification]:
    """A user's own notifications, newest first (dismissed ones are left out)."""
    return Notification.objects.filter(recipient=user, dismissed_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def notification_for_recipient(user: User, pk: int) -> Notification:
    return one_or_404(visible_notifications(user).filter(pk=pk), "No such notification.")


# --- delivery problems (staff) ------------------------------------------------------------------
# A school admin sees the deliveries of their schools' people: everyone with a current role at
# the school (students, staff, guardians) and the guardians linked to its students; a district
# admin the same for every school of the district. Nobody else sees anyone's deliveries.


def may_see_delivery_problems(user: User) -> bool:
    return roles_of(user).is_admin


def _admin_students(user: User) -> QuerySet[OrgRole]:
    schools = administered_schools(user).values("pk")
    return OrgRole.objects.current(today()).filter(role=Role.STUDENT, organisation_id__in=schools)


def visible_family_links(user: User) -> QuerySet[GuardianLink]:
    """Active links of guardians to the students of the schools ``user`` administers."""
    return GuardianLink.objects.filter(
        status=LinkStatus.ACTIVE, student_id__in=_admin_students(user).values("user_id")
    )


def visible_delivery_recipients(user: User) -> QuerySet[User]:
    """People whose deliveries ``user`` may see: nobody unless ``user`` is an admin."""
    if not may_see_delivery_problems(user):
        return User.objects.none()
    schools = administered_schools(user).values("pk")
    members = OrgRole.objects.current(today()).filter(organisation_id__in=schools)
    guardians = visible_family_links(user).values("guardian_id")
    return User.objects.filter(Q(pk__in=members.values("user_id")) | Q(pk__in=guardians))


def visible_failed_deliveries(user: User) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        state=DeliveryState.FAILED,
        recipient_id__in=visible_delivery_recipients(user).values("pk"),
    )


def failed_delivery_for_editor(user: User, pk: int) -> Delivery:
    """A failed delivery ``user`` may send again, or ``Http404``."""
    return one_or_404(
        visible_failed_deliveries(user).filter(pk=pk).select_related("recipient"),
        "No such delivery.",
    )
