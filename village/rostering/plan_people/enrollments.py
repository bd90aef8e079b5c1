"""Plan class enrolments."""

from __future__ import annotations

from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from village.community.models import (
    Enrollment,
    EnrollmentRole,
)
from village.rostering.plan import Context, Row, file_mode, load_rows
from village.rostering.plan import deletions as deleted_ids
from village.rostering.plan_people import shared
from village.rostering.plan_people.shared import (
    ACTIVE,
    INACTIVE,
    Scope,
)
from village.rostering.plan_structure import OrgIndex
from village.rostering.schema import FileMode

ENROLLMENT_COLUMNS = (
    "sourced_id", "user_ref", "school_class_ref", "role", "is_primary", "begin_date",
    "end_date", "status",
)  # fmt: skip


# The columns of a loaded enrolment, by position (there are hundreds of thousands of them).
_ID, _SID, _USER, _CLASS, _ROLE, _PRIMARY, _BEGIN, _END, _STATUS, _SCHOOL = range(10)


def plan_enrollments(
    ctx: Context,
    index: OrgIndex,
    scope: Scope,
    gone_users: dict[str, int],
    withdrawn: dict[str, int],
) -> None:
    """Compare in primary keys: a reference is the same when it names the same row."""
    user_pks, class_pks = ctx.pks.get("users", {}), ctx.pks.get("classes", {})
    enrollments = Enrollment.objects.order_by()
    if scope.enrollment_ids is not None:
        # The rows the file names, and every row of the people it names (a row it takes over
        # may have another id) or that this import deactivates.
        people = {user_pks[user] for _id, user in _enrolled(ctx) if user in user_pks}
        people.update(gone_users.values())
        people.update(withdrawn.values())
        if len(people) <= shared.LIMIT:
            enrollments = enrollments.filter(
                Q(sourced_id__in=scope.enrollment_ids) | Q(user_id__in=people)
            )
    rows = load_rows(
        enrollments,
        "id",
        "sourced_id",
        "user_id",
        "school_class_id",
        "role",
        "is_primary",
        "begin_date",
        "end_date",
        "status",
        "school_class__school_id",
    )
    by_id = dict(zip(map(itemgetter(_SID), rows), rows, strict=True))
    by_id.pop(None, None)  # rows Village made have no sourcedId
    by_id.pop("", None)
    by_key: dict[tuple[int, int, str], tuple[Any, ...]] | None = None  # built when needed
    kind_plan = ctx.plan["enrollments"]
    kind_plan.columns = ENROLLMENT_COLUMNS
    create, update = kind_plan.create, kind_plan.update
    seen: dict[tuple[str, str, str], str] = {}
    taken: set[int] = set()  # rows taken over from another sourcedId
    # Who holds each (user, class, role) once the plan is carried out: Village allows one row
    # per place, whatever its status. Rows keep their place unless the plan moves them.
    places: dict[int, tuple[Any, Any, str]] = {
        row[_ID]: (row[_USER], row[_CLASS], row[_ROLE]) for row in rows
    }
    claimants: dict[int, str] = {}  # row id -> the roster enrolment that updates it
    new_places: list[tuple[str, tuple[Any, Any, str]]] = []
    role_names = {role: str(role) for role in EnrollmentRole}
    here = ctx.organisations
    enrollment_lines: dict[str, int] | None = None
    for sid, enrollment in ctx.roster.enrollments.items():
        user, school_class = enrollment.user_id, enrollment.class_id
        role = role_names[enrollment.role]
        key = (user, school_class, role)
        if key in seen:
            ctx.report.error(
                "duplicate_enrollment",
                f'"{sid}" enrols "{user}" in "{school_class}" as {role} again (as "{seen[key]}")',
                file="enrollments.csv",
            )
            continue
        seen[key] = sid
        user_pk, class_pk = user_pks.get(user), class_pks.get(school_class)
        old = by_id.get(sid)
        if old is None and user_pk is not None and class_pk is not None:
            # A row Village holds under another id (or none) is taken over, not duplicated.
            if by_key is None:
                by_key = {(row[_USER], row[_CLASS], row[_ROLE]): row for row in rows}
            old = by_key.get((user_pk, class_pk, role))
            if old is not None:
                taken.add(old[_ID])
        if old is None:
            create.append(
                (sid, user, school_class, role, enrollment.is_primary, enrollment.begin_date,
                 enrollment.end_date, ACTIVE)
            )  # fmt: skip
            new_places.append((sid, (user_pk, class_pk, role)))
            continue
        if here is not None and old[_SCHOOL] not in here:
            if enrollment_lines is None:
                enrollment_lines = ctx.roster.lines_of_enrollments(set(ctx.roster.enrollments))
            ctx.report.error(
                "enrollment_outside_reach",
                _(
                    '"%(id)s" would take over an enrolment of "%(user)s" in "%(class)s", a class '
                    "of a school outside this import"
                )
                % {"id": sid, "user": user, "class": school_class},
                file="enrollments.csv",
                line=enrollment_lines.get(sid),
            )
            continue
        if old[_ID] in claimants:
            ctx.report.error(
                "enrollment_conflict",
                f'"{sid}" and "{claimants[old[_ID]]}" both take over the same enrolment of '
                f'"{user}" in "{school_class}"',
                file="enrollments.csv",
            )
            continue
        claimants[old[_ID]] = sid
        places[old[_ID]] = (user_pk, class_pk, role)
        said = (sid, user_pk, class_pk, role, enrollment.is_primary, enrollment.begin_date,
                enrollment.end_date, ACTIVE)  # fmt: skip
        if said == old[_SID : _STATUS + 1]:
            continue
        fields: Row = {}
        if old[_USER] != user_pk:
            fields["user_ref"] = user
        if old[_CLASS] != class_pk:
            fields["school_class_ref"] = school_class
        for name, position, value in (
            ("role", _ROLE, role),
            ("is_primary", _PRIMARY, enrollment.is_primary),
            ("begin_date", _BEGIN, enrollment.begin_date),
            ("end_date", _END, enrollment.end_date),
            ("status", _STATUS, ACTIVE),
            ("sourced_id", _SID, sid),
        ):
            if value != old[position]:
                fields[name] = value
        update.append((old[_ID], fields))
    _check_places(ctx, rows, places, claimants, new_places)
    present = set(seen.values())
    ended = _stale_enrollments(ctx, index, present, by_id)
    if gone_users:
        gone_pks = set(gone_users.values())
        ended += [row for row in rows if row[_USER] in gone_pks and row[_STATUS] == ACTIVE]
    if withdrawn:
        leaving, here = set(withdrawn.values()), ctx.organisations or frozenset()
        ended += [
            row
            for row in rows
            if row[_USER] in leaving and row[_SCHOOL] in here and row[_STATUS] == ACTIVE
        ]
    # A row the roster still holds (under its own sourcedId or taken over) stays.
    _end_enrollments(
        ctx, [row for row in ended if row[_SID] not in present and row[_ID] not in taken]
    )


def _check_places(
    ctx: Context,
    rows: list[tuple[Any, ...]],
    places: dict[int, tuple[Any, Any, str]],
    claimants: dict[int, str],
    new_places: list[tuple[str, tuple[Any, Any, str]]],
) -> None:
    """Refuse a plan that would put two enrolments in one place (user, class, role).

    That happens when the roster moves an enrolment onto a place another row still holds (a
    row left out of the file is ended, not deleted, so it keeps its place).
    """
    names = {row[_ID]: claimants.get(row[_ID]) or row[_SID] or f"#{row[_ID]}" for row in rows}
    holder: dict[tuple[Any, Any, str], str] = {}
    claims = [(names[pk], place) for pk, place in places.items()] + new_places
    for name, place in claims:
        if place[0] is None or place[1] is None:
            continue  # a new person or class: nobody holds that place yet
        other = holder.setdefault(place, name)
        if other != name:
            ctx.report.error(
                "enrollment_conflict",
                f'"{name}" would enrol the same person in the same class and role as "{other}"; '
                "Village keeps one enrolment per person, class and role",
                file="enrollments.csv",
            )


def _enrolled(ctx: Context) -> Iterator[tuple[str, str]]:
    """(enrolment, user) sourcedIds of the roster's enrolments."""
    for sourced_id, enrollment in ctx.roster.enrollments.items():
        yield sourced_id, enrollment.user_id


def _stale_enrollments(
    ctx: Context, index: OrgIndex, present: set[str], by_id: dict[str, tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    mode = file_mode(ctx.roster, "enrollments")
    if mode is FileMode.BULK:
        covered = index.covered_pks
        left_out = (by_id[sourced_id] for sourced_id in by_id.keys() - present)
        return [row for row in left_out if row[_STATUS] == ACTIVE and row[_SCHOOL] in covered]
    if mode is FileMode.DELTA:
        gone = deleted_ids(ctx.roster, "enrollments")
        return [
            row
            for sourced_id, row in by_id.items()
            if sourced_id in gone and row[_STATUS] == ACTIVE
        ]
    return []


def _end_enrollments(ctx: Context, rows: list[tuple[Any, ...]]) -> None:
    today = ctx.today
    kind_plan = ctx.plan["enrollments"]
    done: set[int] = set()
    for row in rows:
        pk, end_date = row[_ID], row[_END]
        if pk in done:
            continue
        done.add(pk)
        fields: Row = {"status": INACTIVE}
        if end_date is None or end_date > today:
            fields["end_date"] = today
        kind_plan.deactivate.append((pk, fields))
