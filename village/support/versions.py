"""Support's versions of what families see (``village.families.versions``): each write that can
change what a child's family sees of the profile gives the child a new token of the ``support``
area, in the same transaction.

- an entry written, changed or removed that the family reads or wrote (about me, from home, or
  a school note shared with the family, before or after the change);
- an accommodation added, changed or ended that is shared with the family, before or after.

The area is registered with the family surface by ``parts``: the child page leads to the
profile.
"""

from __future__ import annotations

from collections.abc import Iterable

from village.families.versions import students_changed

AREA = "support"


def children_changed(child_ids: Iterable[int]) -> None:
    students_changed(AREA, child_ids)
