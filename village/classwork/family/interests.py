"""What a child enjoys, as the family may read it, for the conversation starters
(``village.classwork.family.starters``): the apps above classwork that know it (support's
student profile) give it through this registry, without classwork importing them.

An app registers one provider in its ``AppConfig.ready()``::

    interests.register("support.profile", for_reader=..., for_families=...)

- ``for_reader(reader, child_ids)``: each child's interests ``reader`` may read (the child
  page); children with none left out;
- ``for_families(child_ids)``: each child's interests with the ids of the guardians who may
  read them (the weekly digest, composed for a batch of guardians at once).

What a provider promises: only what the family reads (never what is kept for staff), the
child's own words before the family's, each interest in its writer's language; and one query
(two at most) however many children there are, never one per child or per guardian.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from village.accounts.models import User


@dataclass(frozen=True, slots=True)
class Interest:
    """One interest as written: ``text`` in ``language`` (a BCP 47 tag), by the child
    (``by_child``: "about me") or by a guardian ("from home")."""

    text: str
    language: str
    by_child: bool


@dataclass(frozen=True, slots=True)
class FamilyInterests:
    """A child's interests and the guardians (ids) who may read them."""

    interests: tuple[Interest, ...]
    readers: frozenset[int]

    def for_reader(self, reader_id: int) -> tuple[Interest, ...]:
        return self.interests if reader_id in self.readers else ()


#: The reader and the children's ids → each child's interests (called positionally).
ReaderProvider = Callable[[User, Collection[int]], Mapping[int, Sequence[Interest]]]
#: The children's ids → each child's interests with their readers.
FamiliesProvider = Callable[[Collection[int]], Mapping[int, FamilyInterests]]


@dataclass(frozen=True, slots=True)
class _Source:
    for_reader: ReaderProvider
    for_families: FamiliesProvider


_sources: dict[str, _Source] = {}


def register(name: str, *, for_reader: ReaderProvider, for_families: FamiliesProvider) -> None:
    """Give the starters ``name``'s interests (registering a name again replaces it)."""
    _sources[name] = _Source(for_reader, for_families)


def unregister(name: str) -> None:
    _sources.pop(name, None)


def for_reader(reader: User, child_ids: Collection[int]) -> dict[int, list[Interest]]:
    """Each child's interests ``reader`` may read, by child id (children without any left
    out): one call of each provider, none without children."""
    found: dict[int, list[Interest]] = {}
    if not child_ids:
        return found
    for name in sorted(_sources):
        for child_id, interests in _sources[name].for_reader(reader, child_ids).items():
            if interests:
                found.setdefault(child_id, []).extend(interests)
    return found


def for_families(child_ids: Collection[int]) -> dict[int, list[FamilyInterests]]:
    """Each child's interests with who may read them, one entry per provider that has some
    (children without any left out): one call of each provider, none without children."""
    found: dict[int, list[FamilyInterests]] = {}
    if not child_ids:
        return found
    for name in sorted(_sources):
        for child_id, interests in _sources[name].for_families(child_ids).items():
            if interests.interests and interests.readers:
                found.setdefault(child_id, []).append(interests)
    return found


def read_by(
    found: Mapping[int, Sequence[FamilyInterests]], reader_id: int, child_id: int
) -> list[Interest]:
    """Of ``for_families``' answer, the child's interests ``reader_id`` may read."""
    return [one for given in found.get(child_id, ()) for one in given.for_reader(reader_id)]
