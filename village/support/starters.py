"""Support's part of the family's conversation starters (``village.classwork.family.interests``):
a child's interests from the profile, the child's own (*about me*) before the family's (*from
home*), each as written and in its writer's language. Only entries shared with the family, never
those kept for staff or restricted, and only for guardians whose link allows the support plan:

- ``interests_for_reader`` (the child page): what ``policies.visible_entries`` lets the reader
  read as a guardian, so through the link's scope; one query for all the children;
- ``interests_for_families`` (the weekly digest, for a batch of guardians): the children's shared
  interests with the guardians whose usable link allows the support plan, the same rule seen from
  the child (as ``translations`` finds an entry's readers); one query.

The starters are part of classwork's child-page section, kept under classwork's versions of the
child (``village.families.sections``): a write of an interest the family reads gives the child a
new classwork version too (``interests_changed``), in the write's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable

from django.db.models import FilteredRelation, Q

from village.accounts.models import User
from village.classwork import versions as classwork_versions
from village.classwork.family import interests
from village.classwork.family.interests import FamilyInterests, Interest
from village.community.models import GuardianLink
from village.community.policies import guardian_children_ids, usable_link_q
from village.support import policies
from village.support.models import Topic

#: The profile's topics that feed the starters, in the order they are given.
INTEREST_TOPICS = (Topic.INTERESTS, Topic.HOME_INTERESTS)
#: What is read of an entry: (student id, topic, text, language, created at, id).
_FIELDS = ("student_id", "topic", "text", "language", "created_at", "pk")
_Row = tuple[int, str, str, str, dt.datetime, int]


def _shared_q(prefix: str = "") -> Q:
    """Interests shared with the family (of the entries at ``prefix``)."""
    return Q(
        **{
            f"{prefix}topic__in": INTEREST_TOPICS,
            f"{prefix}visibility__in": policies.FAMILY_VISIBLE,
        }
    )


def _by_child(rows: Iterable[_Row]) -> dict[int, list[Interest]]:
    """Each child's interests from ``rows`` (an entry may come more than once), the child's
    own first, then the family's, oldest first."""
    entries = {row[5]: row for row in rows}
    found: dict[int, list[Interest]] = defaultdict(list)
    for student_id, topic, text, language, _at, _pk in sorted(
        entries.values(), key=lambda row: (row[0], INTEREST_TOPICS.index(Topic(row[1])), row[4:])
    ):
        found[student_id].append(Interest(text, language, by_child=topic == Topic.INTERESTS))
    return dict(found)


def interests_for_reader(reader: User, child_ids: Collection[int]) -> dict[int, list[Interest]]:
    """Each child's interests ``reader`` reads as their guardian (one query): a guardian who
    is also the child's staff reads no more here than their link allows."""
    as_guardian = guardian_children_ids(reader, scope=policies.SCOPE)
    rows = (
        policies.visible_entries(reader)
        .filter(_shared_q(), student_id__in=sorted(child_ids))
        .filter(student_id__in=as_guardian)
        .values_list(*_FIELDS)
    )
    return _by_child(rows)


def interests_for_families(child_ids: Collection[int]) -> dict[int, FamilyInterests]:
    """Each child's interests shared with the family, with the guardians whose usable link
    allows the support plan (one query: each interest with each of its readers)."""
    shared = FilteredRelation(
        "student__support_entries", condition=_shared_q("student__support_entries__")
    )
    rows = (
        GuardianLink.objects.annotate(shared=shared)
        .filter(
            usable_link_q(policies.SCOPE),
            student_id__in=sorted(child_ids),
            student__is_active=True,
            shared__isnull=False,
        )
        .values_list(*(f"shared__{field}" for field in _FIELDS), "guardian_id")
    )
    readers: dict[int, set[int]] = defaultdict(set)
    entries: list[_Row] = []
    for *entry, guardian_id in rows:
        entries.append(tuple(entry))
        readers[entry[0]].add(guardian_id)
    return {
        child_id: FamilyInterests(tuple(shown), frozenset(readers[child_id]))
        for child_id, shown in _by_child(entries).items()
    }


def interests_changed(*, topic: str, student_id: int) -> None:
    """Call in the transaction of a write that changes what the family reads of an entry on
    ``topic``: for an interest, the child's classwork section is built again."""
    if topic in INTEREST_TOPICS:
        classwork_versions.students_changed([student_id])


def register() -> None:
    """Give the family's conversation starters the profile's interests."""
    interests.register(
        "support.profile",
        for_reader=interests_for_reader,
        for_families=interests_for_families,
    )
