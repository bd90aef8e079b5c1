"""Writing classwork's section of the weekly family digest: each child's part as HTML and plain
text, from the pieces of ``classwork/family/digest/pieces.html`` (and ``.txt``), each rendered
once per language with slots (``village.core.slots``) and filled in for every child and item: a
district's digests are thousands of emails, and the template engine's loops would take most of
their time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.template.defaultfilters import linebreaksbr
from django.utils import formats, timezone

from village.core.slots import Slots

if TYPE_CHECKING:
    from village.classwork.family.digest import ChildDigest, DigestFeedback, DigestWork

PIECES = "classwork/family/digest/pieces"


class Pieces:
    """The section's pieces in the active language and time zone, each rendered once (HTML and
    plain text) with slots, and the dates they write, each formatted once."""

    def __init__(self) -> None:
        self.slots: dict[tuple[object, ...], tuple[Slots, Slots]] = {}
        self.days: dict[dt.datetime, tuple[str, str]] = {}
        self.separator = str(formats.get_format("DECIMAL_SEPARATOR"))

    def piece(self, name: str, slots: tuple[str, ...] = (), **flags: object) -> tuple[Slots, Slots]:
        key = (name, *sorted(flags.items()))
        found = self.slots.get(key)
        if found is None:
            context = {"piece": name, **flags}
            found = self.slots[key] = (
                Slots(f"{PIECES}.html", context, slots),
                Slots(f"{PIECES}.txt", context, slots, autoescape=False),
            )
        return found

    def day(self, moment: dt.datetime | None) -> tuple[str, str]:
        """A moment's weekday and date, and time, as the family pages write them."""
        if moment is None:
            return "", ""
        found = self.days.get(moment)
        if found is None:
            local = timezone.localtime(moment)
            weekday = formats.date_format(local, "l")
            day = f"{weekday} {formats.date_format(local, 'MONTH_DAY_FORMAT')}"
            found = self.days[moment] = (day, formats.time_format(local, "TIME_FORMAT"))
        return found


@dataclass(frozen=True, slots=True)
class Plain:
    """A value written as ``html`` in the HTML part and as ``text`` in the plain text."""

    html: str
    text: str


#: A piece of a list: its name, its values and the flags that choose its variant.
Item = tuple[str, dict[str, object], dict[str, object]]


class _Writer:
    def __init__(self, pieces: Pieces) -> None:
        self.pieces = pieces
        self.html: list[str] = []
        self.text: list[str] = []

    def add(self, name: str, values: dict[str, object] | None = None, **flags: object) -> None:
        """The piece ``name`` with ``values``; a value given as a ``Plain`` is written one way
        in HTML and another in plain text."""
        values = values or {}
        html, text = self.pieces.piece(name, tuple(values), **flags)
        if not any(isinstance(value, Plain) for value in values.values()):
            self.html.append(html.fill(values))
            self.text.append(text.fill(values))
            return
        self.html.append(
            html.fill({k: v.html if isinstance(v, Plain) else v for k, v in values.items()})
        )
        self.text.append(
            text.fill({k: v.text if isinstance(v, Plain) else v for k, v in values.items()})
        )

    def listed(self, heading: str, items: list[Item]) -> None:
        if not items:
            return
        self.add("heading", heading=heading)
        self.add("list_start")
        for name, values, flags in items:
            self.add(name, values, **flags)
        self.add("list_end")


def _number(value: Decimal | None, separator: str, *, whole: bool = False) -> str:
    """A score or percentage as ``floatformat`` writes it (``"-2"``: two decimals only when
    there is a fraction; ``whole``: ``"0"``), without its cost: thousands are written."""
    if value is None:
        return ""
    if whole or value == value.to_integral_value():
        return str(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)).replace(".", separator)


def _item(name: str, values: Mapping[str, object], **flags: object) -> Item:
    return name, dict(values), flags


def _feedback_item(one: DigestFeedback, separator: str) -> Item:
    values = {
        "link": one.link,
        "title": one.title,
        "class": one.class_title,
        "teacher": one.teacher,
        "comment": Plain(linebreaksbr(one.comment), one.comment),
        "score": _number(one.score, separator),
        "points": _number(one.points, separator),
        "percent": _number(one.percent, separator, whole=True),
    }
    score_kind = "none" if one.score is None else "points" if one.points else "score"
    return _item(
        "feedback",
        values,
        with_teacher=bool(one.teacher),
        with_comment=bool(one.comment),
        score_kind=score_kind,
        mt=one.translated,
    )


def _work_item(name: str, work: DigestWork, pieces: Pieces) -> Item:
    day, time = pieces.day(work.due_at)
    values = {"link": work.link, "title": work.title, "class": work.class_title, "day": day}
    if name == "due":
        values["time"] = time
    return _item(name, values, mt=work.translated)


def _more(name: str, part: ChildDigest, count: int) -> list[Item]:
    return [_item(name, {"link": part.link}, count=count)] if count else []


def write_child(part: ChildDigest, pieces: Pieces) -> tuple[str, str]:
    """One child's part as HTML and plain text."""
    out = _Writer(pieces)
    name = part.child.name
    out.add("child_start", {"id": part.child.id, "name": Plain(name, name.upper())})
    out.listed(
        "notes",
        [
            _item(
                "note",
                {"text": n.text, "author": n.author, "class": n.class_title},
                with_author=bool(n.author),
                mt=n.translated,
            )
            for n in part.notes
        ],
    )
    missing = [_work_item("missing", work, pieces) for work in part.missing]
    out.listed("missing", missing + _more("more_missing", part, part.missing_more))
    due = [_work_item("due", work, pieces) for work in part.due]
    out.listed("due", due + _more("more", part, part.due_more))
    feedback = [_feedback_item(one, pieces.separator) for one in part.feedback]
    out.listed("feedback", feedback + _more("more", part, part.feedback_more))
    out.listed(
        "grades",
        [
            _item(
                "grade",
                {
                    "class": g.class_title,
                    "now": _number(g.now, pieces.separator, whole=True),
                    "before": _number(g.before, pieces.separator, whole=True),
                },
                low=g.low,
            )
            for g in part.grades
        ],
    )
    out.listed(
        "next_week",
        [
            _item(
                "topic",
                {"title": t.title, "class": t.class_title, "summary": t.summary},
                with_summary=bool(t.summary),
                mt=t.translated,
            )
            for t in part.next_week
        ],
    )
    if part.starter is not None:
        out.add("heading", heading="starter")
        out.add("starter", {"html": part.starter.html, "text": part.starter.text})
    if not (part.news or part.next_week or part.starter):
        out.add("nothing", {"name": name})
    out.add("child_end", {"link": part.link, "name": name})
    return "".join(out.html), "".join(out.text)
