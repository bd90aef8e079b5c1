"""Alert kinds for the tests, of every audience and shape: registered by ``registered_kinds``
and removed after, so the tests work whatever kinds the apps register."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from village.community.models import Scope
from village.notifications import registry
from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience, Threshold

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


@contextmanager
def registered_kinds() -> Iterator[list[AlertKind]]:
    for kind in KINDS:
        registry.register_kind(kind)
    try:
        yield KINDS
    finally:
        for kind in KINDS:
            registry.unregister(kind.name)
