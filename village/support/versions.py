"""Support's versions of what families see (``village.families.versions``): each write that can
change what a child's family sees of the profile gives the child a new token of the ``support``
area, in the same transaction.

- an entry written, changed or removed that the family reads or wrote (about me, from home, or
  a school note shared with the family, before or after the change);
- an accommodation added, changed or ended that is shared with the family, before or after.

The area is not yet registered with the family surface (it has no family pages yet); the tokens
are kept from the first write so that its pages, once registered, start from true versions.
"""

from __future__ import annotations

from collections.abc import Iterable

from village.families.versions import students_changed

AREA = "support"


def children_changed(child_ids: Iterable[int]) -> None:
    students_changed(AREA, child_ids)
