"""What a roster bundle may touch: ``bundle_scope_problems`` refuses a bundle that reaches
outside the importer's organisations, each refusal naming the file (and line where it has one)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from village.community.models import Organisation, OrgKind
from village.rostering.gradebook import GradebookRows
from village.rostering.policies.scope_rows import (
    BundleScope,
    bundle_scope,
    existing_rows_outside,
    gradebook_outside_by_line,
    org_references,
    orgs_moved,
    people_org_references,
    people_outside_by_line,
    results_not_enrolled,
    structure_outside,
)
from village.rostering.records import ParsedRoster

#: At most this many out-of-scope findings are listed per file; the rest are counted.
SCOPE_MESSAGES_PER_FILE = 10


@dataclass(frozen=True)
class ScopeProblem:
    file: str
    message: str
    line: int | None = None


def bundle_scope_problems(
    organisation: Organisation, roster: ParsedRoster, *, gradebook: GradebookRows
) -> list[ScopeProblem]:
    """What in ``roster`` and its ``gradebook`` lies outside ``organisation``; empty when the
    bundle may be imported.

    A school's import may hold only that school and its district; a district's import only the
    district, its schools and new schools under it. Rows Village already has (people, classes,
    courses, terms, enrolments, roles, assignments and grades) that the bundle would change must
    belong there too. A school's import creates terms and courses at that school only, and
    changes neither the type nor the parent of an organisation; a district's import puts
    organisations under the district or its schools only. A class uses courses and terms inside
    the import's organisations; a grade is given to a student enrolled in the class of its work.
    """
    if not organisation.sourced_id:
        return [
            ScopeProblem(
                "orgs.csv",
                _(
                    "%(name)s has no roster id (sourcedId) in Village, so no roster can be "
                    "matched to it. Ask a district administrator to import the district's roster."
                )
                % {"name": organisation.name},
            )
        ]
    scope = bundle_scope(organisation, roster)
    problems: list[ScopeProblem] = []
    for file, sourced_ids in org_references(roster):
        outside = sorted(set(sourced_ids) - scope.sourced_ids)
        problems += _listed(file, outside, _outside_org_message(scope), organisation)
    for file, refs in people_org_references(roster):
        outside_refs = [(line, org) for line, org in refs if org not in scope.people_sourced_ids]
        problems += _listed_at(file, outside_refs, _outside_people_org_message(scope), scope)
    for file, outside in existing_rows_outside(scope, roster):
        problems += _listed(file, outside, _outside_row_message(scope), organisation)
    for file, found in people_outside_by_line(scope, roster):
        problems += _listed_at(file, found, _outside_row_message(scope), scope)
    for file, outside in structure_outside(scope, roster):
        problems += _listed(file, outside, _outside_row_message(scope), organisation)
    problems += _listed(
        "orgs.csv", orgs_moved(scope, roster), _org_moved_message(scope), organisation
    )
    for file, found in gradebook_outside_by_line(scope, roster, gradebook):
        problems += _listed_at(file, found, _outside_row_message(scope), scope)
    problems += _listed_at(
        "results.csv",
        results_not_enrolled(roster, gradebook),
        _("%(id)s is not enrolled in the class of this line item"),
        scope,
    )
    return list(dict.fromkeys(problems))  # a users.csv row's roles repeat its organisations


def _org_moved_message(scope: BundleScope) -> str:
    if scope.organisation.kind == OrgKind.SCHOOL:
        return _(
            "organisation %(id)s: a school's roster changes neither the type of an "
            "organisation nor the district it belongs to"
        )
    return _("organisation %(id)s is put under an organisation outside %(name)s")


def _outside_people_org_message(scope: BundleScope) -> str:
    if scope.organisation.kind == OrgKind.SCHOOL:
        return _("%(id)s is not %(name)s: a school's roster gives people roles at that school only")
    return _("organisation %(id)s is neither %(name)s nor one of its schools")


def _listed_at(
    file: str, found: list[tuple[int | None, str]], template: str, scope: BundleScope
) -> list[ScopeProblem]:
    """A problem per (line, sourcedId) in ``found``, in line order, the first few only."""
    ordered = sorted(set(found), key=lambda item: (item[0] or 0, item[1]))
    shown = ordered[:SCOPE_MESSAGES_PER_FILE]
    name = scope.organisation.name
    problems = [
        ScopeProblem(file, template % {"id": f'"{sid}"', "name": name}, line) for line, sid in shown
    ]
    if len(ordered) > len(shown):
        problems.append(
            ScopeProblem(
                file,
                _("and %(count)d more outside the organisation")
                % {"count": len(ordered) - len(shown)},
            )
        )
    return problems


def _outside_org_message(scope: BundleScope) -> str:
    if scope.organisation.kind == OrgKind.SCHOOL:
        return _("organisation %(id)s is neither %(name)s nor its district")
    return _("organisation %(id)s is neither %(name)s nor one of its schools")


def _outside_row_message(scope: BundleScope) -> str:
    if scope.organisation.kind == OrgKind.SCHOOL:
        return _("%(id)s belongs to another school or district than %(name)s")
    return _("%(id)s belongs to another district than %(name)s")


def _listed(
    file: str, sourced_ids: list[str], template: str, organisation: Organisation
) -> list[ScopeProblem]:
    shown = sourced_ids[:SCOPE_MESSAGES_PER_FILE]
    problems = [
        ScopeProblem(file, template % {"id": f'"{sid}"', "name": organisation.name})
        for sid in shown
    ]
    if len(sourced_ids) > len(shown):
        problems.append(
            ScopeProblem(
                file,
                _("and %(count)d more outside the organisation")
                % {"count": len(sourced_ids) - len(shown)},
            )
        )
    return problems
