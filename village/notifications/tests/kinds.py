"""Alert kinds for the tests, of every audience and shape: ``registered_kinds`` puts them in
place of the apps' kinds while a test runs, so the tests work whatever kinds the apps register."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from village.community.models import Scope
from village.notifications import registry
from village.notifications.kinds import WEEKLY_DIGEST
from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience, Threshold
from village.notifications.services.notify import FOLDED_KIND

MISSING = "t_missing"
GRADE_BELOW = "t_grade_below"
TREND = "t_trend"
NEWS = "t_news"
URGENT = "t_urgent"
DUE = "t_due"
SUMMARY = "t_summary"

KINDS = [
    AlertKind(
        name=MISSING,
        label="Test: missing work",
        audience=Audience.GUARDIAN,
        per_child=True,
        order=1,
    ),
    AlertKind(
        name=GRADE_BELOW,
        label="Test: course grade below",
        audience=Audience.GUARDIAN,
        scope=Scope.GRADES,
        per_child=True,
        threshold=Threshold.BELOW,
        default_threshold=Decimal(70),
        order=2,
    ),
    AlertKind(
        name=TREND,
        label="Test: grade falling",
        audience=Audience.GUARDIAN,
        scope=Scope.GRADES,
        per_child=True,
        default_on=False,
        threshold=Threshold.DROP,
        default_threshold=Decimal(10),
        default_weeks=3,
        order=3,
    ),
    AlertKind(
        name=NEWS,
        label="Test: news from school",
        audience=Audience.GUARDIAN,
        sms=True,
        default_email=EmailMode.DAILY,
        help="What the school tells every family.",
        order=4,
    ),
    AlertKind(
        name=URGENT,
        label="Test: school closed",
        audience=Audience.GUARDIAN,
        sms=True,
        urgent=True,
        order=5,
    ),
    AlertKind(name=DUE, label="Test: due tomorrow", audience=Audience.STUDENT, order=6),
    AlertKind(name=SUMMARY, label="Test: work to grade", audience=Audience.TEACHER, order=7),
]


#: Kinds the notifications app itself needs (the digest, the budget notice): always there.
OWN = frozenset({WEEKLY_DIGEST, FOLDED_KIND})


@contextmanager
def registered_kinds(kinds: list[AlertKind] = KINDS) -> Iterator[list[AlertKind]]:
    """Only ``kinds`` (and notifications' own) while the test runs: the kinds apps register
    (classwork's alerts, announcements) are put back after."""
    apps_kinds = [kind for kind in registry.kinds() if kind.name not in OWN]
    for kind in apps_kinds:
        registry.unregister_kind(kind.name)
    for kind in kinds:
        registry.register_kind(kind)
    try:
        yield kinds
    finally:
        for kind in kinds:
            registry.unregister_kind(kind.name)
        for kind in apps_kinds:
            registry.register_kind(kind)
