"""The families of the demo school, planned in memory before anything is written.

Planning is pure: the same random generator state and the same places in classes give the same
children, guardians and links, so the demo is identical on every run. Writing the plan to the
database is ``village.demo.community.school``'s job.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from village.community.models import Relationship, Scope
from village.demo.names import (
    DEMO_LANGUAGE_WEIGHTS,
    POOLS,
    Gender,
    NamePool,
    Usernames,
    name_background,
    pick_gender,
    pick_language,
)

ALL_SCOPES: tuple[Scope, ...] = tuple(Scope)
# What a non-custodial parent may see when the school limits access (custody arrangements).
LIMITED_SCOPES: tuple[tuple[Scope, ...], ...] = (
    (Scope.CLASSWORK, Scope.GOALS),
    (Scope.CLASSWORK, Scope.GRADES, Scope.GOALS),
    (Scope.CLASSWORK, Scope.GRADES, Scope.GOALS, Scope.MESSAGES),
)
COURT_ORDER_NOTE = "Court order on file: no access to school records or communications."
CUSTODY_NOTE = "Custody arrangement: limited access agreed with the school."
NEVER_SIGNED_IN_SHARE = 0.22
FAMILY_SIZES = ((1, 0.6), (2, 0.3), (3, 0.1))
# Every 13th two-household family, starting with the 5th, has a court order against one parent.
COURT_ORDER_EVERY, COURT_ORDER_OFFSET = 13, 4


class FamilyKind(StrEnum):
    TWO_PARENTS = "two_parents"
    SINGLE_PARENT = "single_parent"
    TWO_HOUSEHOLDS = "two_households"
    GRANDPARENTS = "grandparents"
    RELATIVE = "relative"
    NO_ACCOUNT = "no_account"  # the school has no guardian account for these children yet


FAMILY_KIND_WEIGHTS: tuple[tuple[FamilyKind, float], ...] = (
    (FamilyKind.TWO_PARENTS, 0.455),
    (FamilyKind.SINGLE_PARENT, 0.22),
    (FamilyKind.TWO_HOUSEHOLDS, 0.16),
    (FamilyKind.GRANDPARENTS, 0.08),
    (FamilyKind.RELATIVE, 0.05),
    (FamilyKind.NO_ACCOUNT, 0.035),
)


@dataclass(frozen=True)
class Slot:
    """A place in a grade cohort of a school, waiting for a student."""

    school: str
    grade: str


@dataclass(frozen=True)
class PlannedStudent:
    username: str
    first: str
    last: str
    school: str
    grade: str


@dataclass(frozen=True)
class PlannedGuardian:
    username: str
    first: str
    last: str
    language: str
    last_login_days_ago: int | None  # None: never signed in, no usable password


@dataclass(frozen=True)
class PlannedLink:
    guardian: str
    student: str
    relationship: Relationship
    lives_with: bool = True
    emergency_contact: bool = False
    receives_communications: bool = True
    no_access: bool = False
    scopes: tuple[Scope, ...] = ALL_SCOPES
    access_note: str = ""


@dataclass
class FamilyPlan:
    students: list[PlannedStudent] = field(default_factory=list)
    guardians: list[PlannedGuardian] = field(default_factory=list)
    links: list[PlannedLink] = field(default_factory=list)


@dataclass(frozen=True)
class _Family:
    language: str
    pool: NamePool
    surname: str
    children: tuple[PlannedStudent, ...]


class FamilyPlanner:
    """Groups places into families and invents the people of each family."""

    def __init__(self, rng: random.Random, usernames: Usernames) -> None:
        self.rng = rng
        self.usernames = usernames
        self.plan = FamilyPlan()
        self._two_household_count = 0

    def plan_for(self, slots: list[Slot]) -> FamilyPlan:
        remaining = list(slots)
        self.rng.shuffle(remaining)
        while remaining:
            size = min(len(remaining), self._family_size())
            family_slots, remaining = remaining[:size], remaining[size:]
            self._add_family(family_slots)
        return self.plan

    def _family_size(self) -> int:
        sizes = [size for size, _weight in FAMILY_SIZES]
        return self.rng.choices(sizes, weights=[weight for _size, weight in FAMILY_SIZES])[0]

    def _add_family(self, slots: list[Slot]) -> None:
        language = pick_language(self.rng, DEMO_LANGUAGE_WEIGHTS)
        pool = POOLS[name_background(self.rng, language)]
        surname = self.rng.choice(pool.family)
        children: list[PlannedStudent] = []
        for slot in slots:
            children.append(self._child(pool, surname, slot, {c.first for c in children}))
        self.plan.students.extend(children)
        family = _Family(language, pool, surname, tuple(children))
        kinds = [kind for kind, _weight in FAMILY_KIND_WEIGHTS]
        kind = self.rng.choices(kinds, weights=[weight for _kind, weight in FAMILY_KIND_WEIGHTS])[0]
        GUARDIANS_BY_KIND[kind](self, family)

    def _child(
        self, pool: NamePool, surname: str, slot: Slot, siblings: set[str]
    ) -> PlannedStudent:
        first = pool.given(self.rng, pick_gender(self.rng))
        while first in siblings:  # siblings never share a first name
            first = pool.given(self.rng, pick_gender(self.rng))
        username = self.usernames.claim(first, surname)
        return PlannedStudent(username, first, surname, slot.school, slot.grade)

    def _guardian(self, family: _Family, gender: Gender, surname: str | None = None) -> str:
        first = family.pool.given(self.rng, gender)
        last = surname or family.surname
        never = self.rng.random() < NEVER_SIGNED_IN_SHARE
        days_ago = None if never else self.rng.randint(0, 60)
        username = self.usernames.claim(first, last)
        self.plan.guardians.append(
            PlannedGuardian(username, first, last, family.language, days_ago)
        )
        return username

    def _link(
        self, guardian: str, family: _Family, relationship: Relationship, **flags: Any
    ) -> None:
        for child in family.children:
            self.plan.links.append(PlannedLink(guardian, child.username, relationship, **flags))

    def _parent(self, family: _Family, gender: Gender | None = None, **flags: Any) -> None:
        gender = gender or pick_gender(self.rng)
        relationship = Relationship.MOTHER if gender == Gender.FEMALE else Relationship.FATHER
        self._link(self._guardian(family, gender), family, relationship, **flags)

    # --- one function per kind of family ------------------------------------------------------

    def _two_parents(self, family: _Family) -> None:
        draw = self.rng.random()
        genders = (Gender.FEMALE, Gender.MALE)
        if draw < 0.05:
            genders = (Gender.FEMALE, Gender.FEMALE)
        elif draw < 0.1:
            genders = (Gender.MALE, Gender.MALE)
        self._parent(family, genders[0], emergency_contact=True)
        self._parent(family, genders[1])
        if self.rng.random() < 0.1:
            grandparent = self._guardian(family, pick_gender(self.rng))
            self._link(
                grandparent,
                family,
                Relationship.GRANDPARENT,
                lives_with=False,
                emergency_contact=True,
                receives_communications=False,
            )

    def _single_parent(self, family: _Family) -> None:
        gender = Gender.FEMALE if self.rng.random() < 0.7 else Gender.MALE
        self._parent(family, gender, emergency_contact=True)

    def _two_households(self, family: _Family) -> None:
        index = self._two_household_count
        self._two_household_count += 1
        resident = pick_gender(self.rng)
        other = Gender.MALE if resident == Gender.FEMALE else Gender.FEMALE
        self._parent(family, resident, emergency_contact=True)
        surname = self.rng.choice(family.pool.family) if self.rng.random() < 0.5 else None
        guardian = self._guardian(family, other, surname)
        relationship = Relationship.MOTHER if other == Gender.FEMALE else Relationship.FATHER
        self._link(guardian, family, relationship, lives_with=False, **self._custody(index))

    def _custody(self, index: int) -> dict[str, Any]:
        if index % COURT_ORDER_EVERY == COURT_ORDER_OFFSET:
            return {
                "no_access": True,
                "receives_communications": False,
                "access_note": COURT_ORDER_NOTE,
            }
        if index % 3 == 1:
            return {"scopes": self.rng.choice(LIMITED_SCOPES), "access_note": CUSTODY_NOTE}
        return {}

    def _grandparents(self, family: _Family) -> None:
        count = 2 if self.rng.random() < 0.5 else 1
        genders = (Gender.FEMALE, Gender.MALE)[:count] if count == 2 else (pick_gender(self.rng),)
        for position, gender in enumerate(genders):
            grandparent = self._guardian(family, gender)
            self._link(
                grandparent, family, Relationship.GRANDPARENT, emergency_contact=position == 0
            )
        if self.rng.random() < 0.4:
            self._parent(family, lives_with=False)

    def _relative(self, family: _Family) -> None:
        surname = self.rng.choice(family.pool.family)
        relative = self._guardian(family, pick_gender(self.rng), surname)
        relationship = Relationship.RELATIVE if self.rng.random() < 0.6 else Relationship.GUARDIAN
        self._link(relative, family, relationship, emergency_contact=True)

    def _no_account(self, family: _Family) -> None:
        """The children are on the roster; nobody at home has an account yet."""


GUARDIANS_BY_KIND = {
    FamilyKind.TWO_PARENTS: FamilyPlanner._two_parents,
    FamilyKind.SINGLE_PARENT: FamilyPlanner._single_parent,
    FamilyKind.TWO_HOUSEHOLDS: FamilyPlanner._two_households,
    FamilyKind.GRANDPARENTS: FamilyPlanner._grandparents,
    FamilyKind.RELATIVE: FamilyPlanner._relative,
    FamilyKind.NO_ACCOUNT: FamilyPlanner._no_account,
}
