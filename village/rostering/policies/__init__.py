"""Who may upload, see and confirm roster imports, and what a bundle may touch.

Each rule is written once and usable both ways: ``visible_imports`` filters a queryset,
``import_for_viewer`` loads one import or raises ``Http404``. What a bundle may touch is
``policies.scope.bundle_scope_problems`` (its findings in ``policies.scope_rows``).

- A district admin runs imports for their district and sees those of its schools.
- A school admin runs and sees imports for their school only; their bundle may hold nothing but
  that school and its district, and gives roles, enrolments, classes, work and grades at that
  school only; it creates no terms (they belong to the district) and moves no organisation
  (``bundle_scope_problems``).
- A district admin's bundle keeps its organisations inside the district, and gives work and
  grades in the district's classes only.
- Either names only people with something active inside their organisations (``reach``).
- Anyone else has no rostering pages at all.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from village.community.models import Organisation, OrgKind, Role
from village.community.policies import AnyUser, roles_of
from village.core.policies import one_or_404
from village.rostering.models import RosterImport


def import_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """Organisations ``user`` may import a roster for: districts they run, schools they run."""
    roles = roles_of(user)
    return Organisation.objects.filter(
        Q(pk__in=roles.orgs(Role.DISTRICT_ADMIN), kind=OrgKind.DISTRICT)
        | Q(pk__in=roles.orgs(Role.SCHOOL_ADMIN), kind=OrgKind.SCHOOL)
    )


def may_import(user: AnyUser) -> bool:
    roles = roles_of(user)
    if not roles.orgs(Role.DISTRICT_ADMIN) and not roles.orgs(Role.SCHOOL_ADMIN):
        return False  # no query to build (every page asks, for the navigation)
    return import_organisations(user).exists()


def visible_imports(user: AnyUser) -> QuerySet[RosterImport]:
    """Imports for the user's district (and its schools) or for the school they run."""
    roles = roles_of(user)
    districts = roles.orgs(Role.DISTRICT_ADMIN)
    schools = roles.orgs(Role.SCHOOL_ADMIN)
    if not districts and not schools:
        return RosterImport.objects.none()
    return RosterImport.objects.filter(
        Q(organisation_id__in=districts, organisation__kind=OrgKind.DISTRICT)
        | Q(organisation__parent_id__in=districts, organisation__kind=OrgKind.SCHOOL)
        | Q(organisation_id__in=schools, organisation__kind=OrgKind.SCHOOL)
    )


def import_for_viewer(user: AnyUser, import_id: int) -> RosterImport:
    """One import ``user`` may see and act on, or ``Http404``."""
    return one_or_404(
        (
            visible_imports(user)
            .select_related("organisation", "uploaded_by", "confirmed_by")
            .filter(pk=import_id)
        ),
        "No such import.",
    )


def changes_for_viewer(user: AnyUser, import_id: int) -> RosterImport:
    """One import ``user`` may see whose list of changes is kept, or ``Http404``."""
    roster_import = import_for_viewer(user, import_id)
    if not roster_import.changes_file:
        raise Http404("No list of changes.")
    return roster_import
