"""Guardians' alert rules: each guardian's own, per child and kind, over the school's defaults,
over the kind's own defaults. Two guardians of one child never share a rule."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from village.accounts.models import User
from village.notifications import registry
from village.notifications.models import AlertRule, SchoolAlertDefault


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    enabled: bool
    threshold: Decimal | None
    weeks: int | None
    #: Where it comes from: "guardian", "school" or "default".
    source: str


def _default(kind: registry.AlertKind) -> Rule:
    return Rule(kind.name, kind.default_on, kind.default_threshold, kind.default_weeks, "default")


def effective_rules(
    pairs: Collection[tuple[int, int]], school_of: Mapping[int, int | None]
) -> dict[tuple[int, int], dict[str, Rule]]:
    """For each (guardian id, child id): every per-child guardian kind's rule (two queries).

    ``school_of`` maps each child to the school whose defaults apply."""
    kinds = registry.kinds(registry.Audience.GUARDIAN)
    per_child = [kind for kind in kinds if kind.per_child]
    if not pairs:
        return {}
    own: dict[tuple[int, int, str], AlertRule] = {
        (rule.guardian_id, rule.child_id, rule.kind): rule
        for rule in AlertRule.objects.filter(
            guardian_id__in={g for g, _c in pairs}, child_id__in={c for _g, c in pairs}
        )
    }
    schools = {school for school in school_of.values() if school}
    defaults: dict[tuple[int, str], SchoolAlertDefault] = {
        (row.school_id, row.kind): row
        for row in SchoolAlertDefault.objects.filter(school_id__in=schools)
    }
    result: dict[tuple[int, int], dict[str, Rule]] = {}
    for guardian_id, child_id in pairs:
        rules: dict[str, Rule] = {}
        school = school_of.get(child_id)
        for kind in per_child:
            mine = own.get((guardian_id, child_id, kind.name))
            theirs = defaults.get((school or 0, kind.name))
            if mine is not None:
                rules[kind.name] = Rule(
                    kind.name, mine.enabled, mine.threshold, mine.weeks, "guardian"
                )
            elif theirs is not None:
                rules[kind.name] = Rule(
                    kind.name, theirs.enabled, theirs.threshold, theirs.weeks, "school"
                )
            else:
                rules[kind.name] = _default(kind)
        result[(guardian_id, child_id)] = rules
    return result


@dataclass(frozen=True)
class RuleBook:
    """Whether each guardian wants one per-child kind about each child, as
    :func:`effective_rules` decides it (their own rule, else the school's default, else the
    kind's), read for any number of guardians in two queries (:func:`rule_book`)."""

    default_on: bool
    own: Mapping[tuple[int, int], bool]
    schools: Mapping[int, bool]

    def wants(self, guardian_id: int, child_id: int, school_id: int | None) -> bool:
        mine = self.own.get((guardian_id, child_id))
        if mine is not None:
            return mine
        return self.schools.get(school_id or 0, self.default_on)


def rule_book(
    kind: registry.AlertKind, guardians: QuerySet[Any], schools: Collection[int]
) -> RuleBook:
    """The rules of ``kind`` of the guardians a subquery of ids names (``guardians``), over the
    defaults of ``schools``: two queries, however many guardians (no list of ids is sent)."""
    own = {
        (guardian_id, child_id): enabled
        for guardian_id, child_id, enabled in AlertRule.objects.filter(
            kind=kind.name, guardian_id__in=guardians
        ).values_list("guardian_id", "child_id", "enabled")
    }
    defaults = dict(
        SchoolAlertDefault.objects.filter(
            kind=kind.name, school_id__in=sorted(schools)
        ).values_list("school_id", "enabled")
    )
    return RuleBook(default_on=kind.default_on, own=own, schools=defaults)


@dataclass(frozen=True, slots=True)
class RuleInput:
    kind: str
    enabled: bool
    threshold: Decimal | None = None
    weeks: int | None = None


@transaction.atomic
def save_rules(guardian: User, child: User, rules: Iterable[RuleInput]) -> None:
    """Save a guardian's own rules for one child, then take each changed alert's condition as it
    stands now (the next crossing is told, not where things stand). The caller has checked
    that ``guardian`` may set alerts about ``child``."""
    changed: set[str] = set()
    for rule in rules:
        kind = registry.kind(rule.kind)
        if kind is None or not kind.per_child or kind.audience != registry.Audience.GUARDIAN:
            raise ValueError(f"Unknown alert: {rule.kind}")
        existing = AlertRule.objects.filter(guardian=guardian, child=child, kind=rule.kind).first()
        if (
            existing is not None
            and existing.enabled == rule.enabled
            and existing.threshold == rule.threshold
            and existing.weeks == rule.weeks
        ):
            continue
        AlertRule.objects.update_or_create(
            guardian=guardian,
            child=child,
            kind=rule.kind,
            defaults={"enabled": rule.enabled, "threshold": rule.threshold, "weeks": rule.weeks},
        )
        changed.add(rule.kind)
    if changed:
        seed_now(guardian, child, changed)


def seed_now(guardian: User, child: User, kinds: Collection[str]) -> None:
    """Look at ``child``'s alerts of these kinds for ``guardian`` now, without firing."""
    from django.utils import timezone

    from village.notifications.services.alerts import seed

    now = timezone.now()
    found: list[registry.Alert] = []
    for checker in registry.checkers().values():
        found.extend(
            alert
            for alert in checker(registry.CheckRequest(student_ids=[child.pk], now=now))
            if alert.recipient.pk == guardian.pk and alert.kind in kinds
        )
    seed(found)
