"""Versions of what families see, per student and area: tokens that change whenever a student's
part of one area (classwork, goals…) changes, or what a reader has seen of it.

Pages and summaries kept for families (the overview's parts, a child's work summary) store the
tokens of the areas they show and are rebuilt when one differs, so a change in one area leaves
what other areas kept alone. Every write that changes what a family sees of an area calls
``students_changed`` (or ``readers_changed``) **inside the same transaction** as the write.

Readers must read the tokens before the rows they summarise. Under PostgreSQL's read-committed
isolation a summary may then hold rows newer than its tokens (it is rebuilt once more, harmless),
never rows older than them. Each call is one upsert per 1,000 ids.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from village.families import surface
from village.families.models import ReaderVersion, StudentVersion

#: The token of a student or reader that has had no change (also: no row yet).
UNCHANGED = 0
#: Rows per upsert statement.
BATCH = 1000


def _token() -> int:
    # 62 random bits: never UNCHANGED, and fits a signed 64-bit column
    return secrets.randbits(62) + 1


def students_changed(area: str, student_ids: Iterable[int]) -> None:
    """Give each student in ``student_ids`` a new version of ``area``."""
    _bump(StudentVersion, "student", area, student_ids)


def readers_changed(area: str, reader_ids: Iterable[int]) -> None:
    """Give each reader in ``reader_ids`` a new version of what they have seen of ``area``."""
    _bump(ReaderVersion, "reader", area, reader_ids)


def _bump(
    model: type[StudentVersion] | type[ReaderVersion],
    owner: str,
    area: str,
    owner_ids: Iterable[int],
) -> None:
    """One INSERT … ON CONFLICT UPDATE per batch: a new token for each (owner, area)."""
    ids = sorted(set(owner_ids))
    if not ids:
        return
    now = timezone.now()
    rows = [model(**{f"{owner}_id": pk}, area=area, token=_token(), changed_at=now) for pk in ids]
    model.objects.bulk_create(
        rows,  # type: ignore[arg-type]
        update_conflicts=True,
        unique_fields=[owner, "area"],
        update_fields=["token", "changed_at"],
        batch_size=BATCH,
    )


def student_value(area: str) -> str:
    """The name under which ``link_values`` reads ``area``'s version of a link's child."""
    return f"families_version_{area}"


def reader_value(area: str) -> str:
    """The name under which ``link_values`` reads the guardian's own version of ``area``."""
    return f"families_reader_version_{area}"


#: ``link_values`` for each set of registered areas: built once, as the compiled links query
#: that reads them (``community.selectors.home.guardian_links``) is, not on every page.
_LINK_VALUES: dict[tuple[surface.Area, ...], dict[str, Subquery]] = {}


def link_values() -> dict[str, Subquery]:
    """Every registered area's versions, as values to read with each of a guardian's links:
    the child's version, and the guardian's own where the area keeps one."""
    areas = tuple(surface.areas())
    found = _LINK_VALUES.get(areas)
    if found is None:
        found = _LINK_VALUES[areas] = _link_values(areas)
    return dict(found)


def _link_values(areas: tuple[surface.Area, ...]) -> dict[str, Subquery]:
    values: dict[str, Subquery] = {}
    for area in areas:
        values[student_value(area.name)] = Subquery(
            StudentVersion.objects.filter(student_id=OuterRef("student_id"), area=area.name).values(
                "token"
            )[:1]
        )
        if area.reader_versions:
            values[reader_value(area.name)] = Subquery(
                ReaderVersion.objects.filter(
                    reader_id=OuterRef("guardian_id"), area=area.name
                ).values("token")[:1]
            )
    return values
