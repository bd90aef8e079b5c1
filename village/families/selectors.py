"""Reads for the family surface: the guardian's children with each area's versions of them,
and the "needs attention" list merged from every area's items.

Everything starts from the guardian's own usable links (``community.selectors.guardian_links``);
each area (``village.families.surface``) sees only the children whose link allows its scope.
Nothing here writes: the caller audits the view.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from village.accounts.models import User
from village.community.models import Scope
from village.community.selectors import LinkedChild, guardian_links
from village.families import surface, versions
from village.families.surface import Area, AreaChild, AttentionItem, Child

#: The home page lists this many items per child under "Needs attention" and counts the rest.
ATTENTION_PER_CHILD = 5


def linked_child(link: LinkedChild) -> Child:
    """A child as the family view shows them, from one of the guardian's links."""
    return Child(
        id=link.student_id,
        name=link.short_name,
        full_name=link.display_name,
        grade=link.grade,
        grades=link.allows(Scope.GRADES),
    )


# --- versions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaVersions:
    """One area's children as a guardian sees them, each with the area's version of them, and
    the guardian's own version of the area: together they change whenever the area's part of
    the overview could (other than by the clock)."""

    area: Area
    children: list[AreaChild]
    reader_token: int

    def fingerprint(self) -> str:
        """The versions as text, for a cache key (names and scopes included)."""
        parts = [self.area.name, str(self.reader_token)]
        parts += [
            f"{one.child.id}|{one.child.name}|{one.child.full_name}|{one.child.grade}|"
            f"{one.child.grades:d}|{one.token}"
            for one in self.children
        ]
        return "\n".join(parts)


def family_versions(user: User, links: list[LinkedChild] | None = None) -> list[AreaVersions]:
    """Each registered area's children and versions for ``user``'s overview (one query).

    ``links`` are the guardian's usable links in the children's order as the home page reads
    them, the versions read along with them (``versions.link_values``, registered with the
    home page); without them they are read here. Areas without a child are left out.
    """
    registered = surface.areas()
    needed = [versions.student_value(area.name) for area in registered]
    if links is None or any(name not in link.extra for link in links for name in needed):
        links = guardian_links(user, versions.link_values())
    found: list[AreaVersions] = []
    for area in registered:
        shown = [link for link in links if link.allows(area.scope)]
        if not shown:
            continue
        reader = shown[0].extra.get(versions.reader_value(area.name))
        found.append(
            AreaVersions(
                area=area,
                children=[
                    AreaChild(
                        linked_child(link),
                        link.extra[versions.student_value(area.name)] or versions.UNCHANGED,
                    )
                    for link in shown
                ],
                reader_token=reader or versions.UNCHANGED,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class ChildVersions:
    """One child's version of each area and the guardian's own version of each area that keeps
    one, as read along with the guardian's link (``versions.link_values``)."""

    values: Mapping[str, int | None]

    def student(self, area: str) -> int:
        return self.values.get(versions.student_value(area)) or versions.UNCHANGED

    def reader(self, area: str) -> int:
        return self.values.get(versions.reader_value(area)) or versions.UNCHANGED


def link_versions(link: LinkedChild) -> ChildVersions:
    """The versions read with ``link`` (``guardian_links(user, versions.link_values())``)."""
    return ChildVersions(dict(link.extra))


def overview_children(found: Iterable[AreaVersions]) -> list[Child]:
    """The children any area shows, in the children's order."""
    children: dict[int, Child] = {}
    for one in found:
        for shown in one.children:
            children.setdefault(shown.child.id, shown.child)
    return list(children.values())


# --- needs attention -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttentionMore:
    """How many more things need attention for one child than the home page lists."""

    child: Child
    count: int


def needs_attention(
    children: list[Child],
    items: list[AttentionItem],
    cut: dict[int, int],
    *,
    per_child: int = ATTENTION_PER_CHILD,
) -> tuple[list[AttentionItem], list[AttentionMore]]:
    """At most ``per_child`` of ``items`` per child, the most urgent first, and how many more
    each child has (``cut``: items an area left out of ``items`` already, per child id)."""
    by_child: dict[int, list[AttentionItem]] = defaultdict(list)
    for item in items:
        by_child[item.child.id].append(item)
    shown: list[AttentionItem] = []
    more: list[AttentionMore] = []
    for child in children:
        own = by_child.get(child.id, [])
        picked = most_urgent(own, per_child)
        shown += picked
        hidden = len(own) + cut.get(child.id, 0) - len(picked)
        if hidden > 0:
            more.append(AttentionMore(child, hidden))
    return sorted(shown, key=attention_key), more


def most_urgent(items: list[AttentionItem], count: int) -> list[AttentionItem]:
    """``count`` of ``items``, taking the most urgent of each kind in turn, so that a family sees
    every kind of trouble (late work as well as many missing pieces) before more of one kind."""
    by_kind: dict[tuple[int, str], list[AttentionItem]] = defaultdict(list)
    for item in sorted(items, key=attention_key):
        by_kind[(item.urgency, item.kind)].append(item)
    kinds = sorted(by_kind)
    picked: list[AttentionItem] = []
    depth = 0
    while len(picked) < min(count, len(items)):
        for kind in kinds:
            queue = by_kind[kind]
            if depth < len(queue) and len(picked) < count:
                picked.append(queue[depth])
        depth += 1
    return picked


def attention_key(item: AttentionItem) -> tuple[int, float, str, str]:
    """Urgency first; then the area's order (``when``), the child's name and the title."""
    return (item.urgency, item.when, item.child.name, item.title)
