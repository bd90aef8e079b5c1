"""Pictures of progress on learning goals, drawn on the server as SVG: pure functions from the
selectors' data to markup, so that any page (the teacher's, the student's, the family's) can
include them.

- :func:`overview_picture`: a class on a set, students x goals, each cell the student's state
  on the goal (``selectors.overview``).
- :func:`path_picture`: one student's path through a set (``selectors.plans.PlanView``): the
  groups, the goals in the student's order with their states, and for each goal a small line
  of the levels over its efforts, the student's own beside the teacher's (never averaged).

Every state has its own shape and mark as well as its colour (a dash, a ring, a half-filled
ring, a diamond with "?", a triangle with "!", a disc with a tick), each at least 3:1 against
the white and striped backgrounds, so no state is told by colour alone. Each picture is an
``<svg role="img">`` labelled by its own ``<title>`` and described by its ``<desc>``, a full
text alternative; ``id_prefix`` keeps the ids unique when a page shows several. The pages
carry no inline style (the Content-Security-Policy forbids it): only presentation attributes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from village.goals.models import PlanState
from village.goals.progress import GoalState
from village.goals.selectors.overview import Overview, Row
from village.goals.selectors.plans import EffortView, GoalView, PlanView

INK = "#1c2430"
MUTED = "#4a5565"
LINE = "#d5dae1"
RULE = "#6b7685"  # 4.6:1 on white: the edge of things that carry meaning
STRIPE = "#f1f4f7"
#: About as wide as a portrait page prints (CSS pixels): a wider picture is scaled to the page.
PRINT_WIDTH = 700
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"

#: Each state's colour (all at least 4.5:1 on white and on ``STRIPE``).
COLOURS = {
    GoalState.NOT_CHOSEN: RULE,
    GoalState.CHOSEN: "#1557a0",
    GoalState.IN_PROGRESS: "#1557a0",
    GoalState.ASKED: "#5b3c8c",
    GoalState.STALLED: "#9a4a00",
    GoalState.MET: "#1d6b4f",
}
SELF_COLOUR = "#1557a0"
TEACHER_COLOUR = "#9a4a00"


def _mark(html: str) -> SafeString:
    return mark_safe(html)  # noqa: S308 - built here from numbers and escaped text only


def _n(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fit(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters with an ellipsis (the full text is in the
    description)."""
    return text if len(text) <= chars else text[: max(1, chars - 1)].rstrip() + "…"


def _text(x: float, y: float, text: str, *, size: int = 13, fill: str = INK, **attrs: str) -> str:
    """A line of text; ``attrs`` are more presentation attributes (``text_anchor`` is written
    ``text-anchor``)."""
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attrs.items())
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{fill}"{extra}>'
        f"{escape(text)}</text>"
    )


# --- the state marks --------------------------------------------------------------------------


def state_shape(state: GoalState, r: float = 8) -> str:
    """The mark of ``state``, centred on (0, 0), ``r`` its radius."""
    colour = COLOURS[state]
    if state == GoalState.NOT_CHOSEN:
        return (
            f'<line x1="{_n(-r * 0.6)}" y1="0" x2="{_n(r * 0.6)}" y2="0" stroke="{colour}" '
            'stroke-width="2" stroke-linecap="round"/>'
        )
    ring = f'<circle r="{_n(r - 1)}" fill="#fff" stroke="{colour}" stroke-width="2"/>'
    if state == GoalState.CHOSEN:
        return ring
    if state == GoalState.IN_PROGRESS:
        half = f'<path d="M0,{_n(-r + 1)} A{_n(r - 1)},{_n(r - 1)} 0 0 0 0,{_n(r - 1)} Z"'
        return f'{ring}{half} fill="{colour}"/>'
    glyph = {GoalState.ASKED: "?", GoalState.STALLED: "!"}.get(state)
    if state == GoalState.ASKED:
        shape = f'<path d="M0,{_n(-r)} L{_n(r)},0 L0,{_n(r)} L{_n(-r)},0 Z" fill="{colour}"/>'
    elif state == GoalState.STALLED:
        shape = (
            f'<path d="M0,{_n(-r)} L{_n(r)},{_n(r * 0.8)} L{_n(-r)},{_n(r * 0.8)} Z" '
            f'fill="{colour}"/>'
        )
    else:  # met: a disc with a tick
        tick = f"M{_n(-r * 0.5)},0 L{_n(-r * 0.1)},{_n(r * 0.4)} L{_n(r * 0.55)},{_n(-r * 0.4)}"
        return (
            f'<circle r="{_n(r)}" fill="{colour}"/><path d="{tick}" fill="none" stroke="#fff" '
            'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>'
        )
    y = r * 0.45 if state == GoalState.ASKED else r * 0.6
    return shape + (
        f'<text x="0" y="{_n(y)}" text-anchor="middle" font-size="{_n(r * 1.25)}" '
        f'font-weight="700" fill="#fff">{glyph}</text>'
    )


def state_icon(state: GoalState, size: int = 18) -> SafeString:
    """The mark of ``state`` alone, for keys and table cells: hidden from assistive technology
    (the state's name goes beside it)."""
    half = size / 2
    return _mark(
        f'<svg class="goal-state-icon" width="{size}" height="{size}" '
        f'viewBox="{_n(-half)} {_n(-half)} {size} {size}" aria-hidden="true" focusable="false">'
        f"{state_shape(state, half - 1)}</svg>"
    )


def state_marks(id_prefix: str = "goal-mark", size: int = 18) -> SafeString:
    """Every state's mark, defined once and drawn nowhere: a page with many marks (the
    overview's table) writes this once and each mark as :func:`state_mark`."""
    return _mark(
        f'<svg width="0" height="0" aria-hidden="true" focusable="false">'
        f"{_defs(id_prefix, size / 2 - 1)}</svg>"
    )


def state_mark(state: GoalState, id_prefix: str = "goal-mark", size: int = 18) -> SafeString:
    """The mark of ``state``, drawn from :func:`state_marks` on the same page (hidden from
    assistive technology: the state's name goes beside it)."""
    half = size / 2
    return _mark(
        f'<svg class="goal-state-icon" width="{size}" height="{size}" '
        f'viewBox="{_n(-half)} {_n(-half)} {size} {size}" aria-hidden="true" focusable="false">'
        f'<use href="#{id_prefix}-{state.value}"/></svg>'
    )


def _defs(prefix: str, r: float) -> str:
    shapes = "".join(
        f'<g id="{prefix}-{state.value}">{state_shape(state, r)}</g>' for state in GoalState
    )
    return f"<defs>{shapes}</defs>"


def _svg(
    prefix: str, width: float, height: float, title: str, desc: str, body: str, *, fit: bool = False
) -> str:
    """``fit``: no wider than its container (a printed page), however wide it is drawn."""
    if fit and width > PRINT_WIDTH:
        size = 'width="100%"'
    else:
        size = f'width="{_n(width)}" height="{_n(height)}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="goal-picture" role="img" {size} '
        f'viewBox="0 0 {_n(width)} {_n(height)}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT}">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>{body}</svg>'
    )


# --- the class overview -----------------------------------------------------------------------

NAME_WIDTH = 196
CELL = 26
BAND_HEIGHT = 22
NUMBER_HEIGHT = 20


def plan_note(row: Row) -> str:
    """What a row says about the student's plan when they have not chosen yet."""
    if row.plan_state is None:
        return _("no plan")
    if row.plan_state == PlanState.DRAFT:
        return _("draft")
    return ""


def overview_summary(overview: Overview) -> str:
    """The picture in words: the students and goals shown, how many cells are in each state,
    and who has not chosen yet."""
    shown = len(overview.rows)
    parts = [
        ngettext(
            "%(students)s of %(total)s student shown",
            "%(students)s of %(total)s students shown",
            overview.students,
        )
        % {"students": shown, "total": overview.students}
        + ", "
        + ngettext("%(goals)s goal.", "%(goals)s goals.", len(overview.columns))
        % {"goals": len(overview.columns)}
    ]
    counts = overview.counts()
    parts.append(
        "; ".join(f"{state.label}: {counts[state]}" for state in reversed(GoalState)) + "."
    )
    waiting = [row.name for row in overview.not_chosen_yet]
    if waiting:
        parts.append(
            ngettext(
                "%(count)s student has not chosen yet: %(names)s.",
                "%(count)s students have not chosen yet: %(names)s.",
                len(waiting),
            )
            % {"count": len(waiting), "names": ", ".join(waiting)}
        )
    else:
        parts.append(_("Every student has chosen their goals."))
    return " ".join(parts)


def overview_picture(
    overview: Overview, *, id_prefix: str = "overview", fit: bool = False, desc: str | None = None
) -> SafeString:
    """The class on the set: a row per student, a column per goal (numbered; the numbers are
    the goals' key), grouped under their groups' names; each cell the student's state.
    ``fit``: scaled down to its container's width (a printout) when wider than a page;
    ``desc``: its description, when the page has written :func:`overview_summary` already."""
    columns = overview.columns
    top = BAND_HEIGHT + NUMBER_HEIGHT + 4
    width = NAME_WIDTH + CELL * len(columns) + 8
    height = top + CELL * len(overview.rows) + 6
    body = [_defs(id_prefix, 8)]
    body += _stripes(overview.rows, width, top)
    body += _header(overview, top)
    refs = {state: f'href="#{id_prefix}-{state.value}"' for state in GoalState}
    starts = [NAME_WIDTH + CELL * i + CELL / 2 for i in range(len(columns))]
    for index, row in enumerate(overview.rows):
        y = top + CELL * index + CELL / 2
        body.append(_row_name(row, y))
        cy = _n(y)
        body.append(
            "".join(
                f'<use {refs[state]} x="{_n(x)}" y="{cy}"/>'
                for x, state in zip(starts, row.states, strict=True)
            )
        )
    title = _("Class overview of “%(set)s”") % {"set": overview.goal_set.title}
    desc = overview_summary(overview) if desc is None else desc
    return _mark(_svg(id_prefix, width, height, title, desc, "".join(body), fit=fit))


def _stripes(rows: Sequence[Row], width: float, top: float) -> list[str]:
    return [
        f'<rect x="0" y="{_n(top + CELL * i)}" width="{_n(width)}" height="{CELL}" '
        f'fill="{STRIPE}"/>'
        for i in range(1, len(rows), 2)
    ]


def _header(overview: Overview, top: float) -> list[str]:
    """Each group's name over its columns, a rule between groups, and the goals' numbers."""
    parts = []
    x = NAME_WIDTH
    bottom = top + CELL * len(overview.rows)
    for band in overview.bands:
        span = CELL * len(band.columns)
        if span:
            parts.append(
                _text(x + 3, BAND_HEIGHT - 7, _fit(band.title, max(2, int(span / 7))), size=12)
            )
        parts.append(
            f'<line x1="{_n(x)}" y1="2" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{RULE}" '
            'stroke-width="1"/>'
        )
        for column in band.columns:
            parts.append(
                _text(
                    x + CELL / 2,
                    BAND_HEIGHT + NUMBER_HEIGHT - 5,
                    str(column.number),
                    size=11,
                    text_anchor="middle",
                    font_weight="600" if column.core else "400",
                )
            )
            x += CELL
    parts.append(
        f'<line x1="0" y1="{_n(top - 1)}" x2="{_n(x)}" y2="{_n(top - 1)}" stroke="{RULE}" '
        'stroke-width="1"/>'
    )
    return parts


def _row_name(row: Row, y: float) -> str:
    note = plan_note(row)
    if not note:
        return _text(6, y + 4.5, _fit(row.name, 26))
    name = _fit(row.name, 26 - len(note) - 3)
    return (
        f'<text x="6" y="{_n(y + 4.5)}" font-size="13" fill="{INK}">{escape(name)}'
        f'<tspan fill="{MUTED}" font-style="italic"> · {escape(note)}</tspan></text>'
    )


# --- the student's path -----------------------------------------------------------------------

#: As wide as a phone's card leaves room for (375 px wide, less the page's and card's margins).
PATH_WIDTH = 300
KEY_HEIGHT = 30
GROUP_HEIGHT = 30
GOAL_HEIGHT = 54
SPARK_LEFT = 176
SPARK_WIDTH = 116
SPARK_HEIGHT = 22


@dataclass(frozen=True, slots=True)
class Levels:
    """A goal's levels over its efforts, as shares of the rubric (0 to 1; ``None``: none
    given): the student's own and the teacher's, effort by effort."""

    own: tuple[float | None, ...]
    teacher: tuple[float | None, ...]


def goal_levels(view: GoalView) -> Levels:
    own = tuple(effort.assessed.share if effort.assessed else None for effort in view.efforts)
    teacher = tuple(_teacher_share(effort) for effort in view.efforts)
    return Levels(own, teacher)


def _teacher_share(effort: EffortView) -> float | None:
    """The teacher's latest level on the effort (feedback without a level gives none)."""
    for feedback in reversed(effort.feedback):
        if feedback.assessed is not None:
            return feedback.assessed.share
    return None


def _teacher_label(effort: EffortView) -> str:
    for feedback in reversed(effort.feedback):
        if feedback.assessed is not None:
            return feedback.assessed.label
    return "—"


def path_description(view: PlanView) -> str:
    """The path in words, group by group: each goal, its state, and its levels effort by
    effort (the student's, then the teacher's)."""
    parts = []
    number = 0
    for group in view.groups:
        goals = []
        for goal in group.chosen:
            number += 1
            goals.append(f"{number}. {goal.goal.title}: {_goal_words(goal)}")
        if goals:
            parts.append(f"{group.group.title}. " + " ".join(goals))
    if not parts:
        return _("No goals chosen yet.")
    return " ".join(parts)


def _goal_words(view: GoalView) -> str:
    words = str(view.state.label)
    if not view.efforts:
        return words + "."
    own = "; ".join(e.assessed.label if e.assessed else "—" for e in view.efforts)
    teacher = "; ".join(_teacher_label(e) for e in view.efforts)
    count = ngettext("%(count)s effort", "%(count)s efforts", len(view.efforts)) % {
        "count": len(view.efforts)
    }
    return f"{words}, {count}. " + _(
        "Self-assessed levels: %(own)s. Teacher's levels: %(teacher)s."
    ) % {"own": own, "teacher": teacher}


def path_picture(
    view: PlanView, *, id_prefix: str = "path", title: str | None = None
) -> SafeString:
    """The student's path through the set: down the left a line through their goals in their
    order, group by group, each goal's mark showing its state; beside each goal its title,
    the state in words and a small line of levels per effort (solid, dots: the student's own;
    dashed, squares: the teacher's)."""
    title = title or _("Path through “%(set)s”") % {"set": view.goal_set.title}
    body = [_defs(id_prefix, 9), _spark_key()]
    y = KEY_HEIGHT
    dots: list[float] = []
    for group in view.groups:
        if not group.chosen:
            continue
        # Right of the path's line, which runs down the left through every group.
        body.append(_text(30, y + 20, _fit(group.group.title, 34), size=14, font_weight="700"))
        y += GROUP_HEIGHT
        for goal in group.chosen:
            dots.append(y + 14)
            body.append(_goal_row(goal, y, id_prefix))
            y += GOAL_HEIGHT
    if not dots:
        body.append(_text(4, y + 20, _("No goals chosen yet."), fill=MUTED))
        y += GROUP_HEIGHT
    line = _path_line(dots)
    height = y + 6
    return _mark(
        _svg(id_prefix, PATH_WIDTH, height, title, path_description(view), line + "".join(body))
    )


def _path_line(dots: Sequence[float]) -> str:
    """The path: a line down through every goal's mark (drawn under the marks)."""
    if len(dots) < 2:
        return ""
    return (
        f'<line x1="16" y1="{_n(dots[0])}" x2="16" y2="{_n(dots[-1])}" stroke="{LINE}" '
        'stroke-width="4" stroke-linecap="round"/>'
    )


def _goal_row(goal: GoalView, y: float, prefix: str) -> str:
    parts = [
        f'<use href="#{prefix}-{goal.state.value}" x="16" y="{_n(y + 14)}"/>',
        _text(34, y + 18, _fit(goal.goal.title, 36), font_weight="600"),
        _text(34, y + 40, _fit(str(goal.state.label), 21), size=12, fill=MUTED),
    ]
    levels = goal_levels(goal)
    if levels.own or levels.teacher:
        parts.append(_sparkline(levels, SPARK_LEFT, y + 26))
    else:
        parts.append(_text(SPARK_LEFT, y + 40, _("no effort yet"), size=12, fill=MUTED))
    return "".join(parts)


def _points(values: Sequence[float | None], left: float, top: float) -> list[tuple[float, float]]:
    step = SPARK_WIDTH / max(1, len(values) - 1) if len(values) > 1 else 0
    x0 = left if len(values) > 1 else left + SPARK_WIDTH / 2
    return [
        (x0 + step * i, top + SPARK_HEIGHT * (1 - min(1.0, max(0.0, value))))
        for i, value in enumerate(values)
        if value is not None
    ]


def _sparkline(levels: Levels, left: float, top: float) -> str:
    """The levels over the efforts: the rubric's best at the top, nothing at the bottom."""
    parts = [
        f'<line x1="{_n(left)}" y1="{_n(top + SPARK_HEIGHT)}" x2="{_n(left + SPARK_WIDTH)}" '
        f'y2="{_n(top + SPARK_HEIGHT)}" stroke="{LINE}" stroke-width="1"/>'
    ]
    own = _points(levels.own, left, top)
    teacher = _points(levels.teacher, left, top)
    parts.append(_polyline(own, SELF_COLOUR, dashed=False))
    parts.append(_polyline(teacher, TEACHER_COLOUR, dashed=True))
    parts += [_dot(x, y) for x, y in own]
    parts += [_square(x, y) for x, y in teacher]
    return "".join(parts)


def _polyline(points: Iterable[tuple[float, float]], colour: str, *, dashed: bool) -> str:
    found = list(points)
    if len(found) < 2:
        return ""
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (
        f'<polyline points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in found)}" fill="none" '
        f'stroke="{colour}" stroke-width="2"{dash}/>'
    )


def _dot(x: float, y: float) -> str:
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{SELF_COLOUR}"/>'


def _square(x: float, y: float) -> str:
    return (
        f'<rect x="{_n(x - 3)}" y="{_n(y - 3)}" width="6" height="6" fill="#fff" '
        f'stroke="{TEACHER_COLOUR}" stroke-width="2"/>'
    )


def _spark_key() -> str:
    """The key of the lines of levels, at the top of the path."""
    own, teacher = _("self-assessed level"), _("teacher's level")
    return (
        f'<line x1="4" y1="14" x2="26" y2="14" stroke="{SELF_COLOUR}" stroke-width="2"/>'
        f"{_dot(15, 14)}{_text(32, 18, own, size=12)}"
        f'<line x1="156" y1="14" x2="178" y2="14" stroke="{TEACHER_COLOUR}" stroke-width="2" '
        f'stroke-dasharray="4 3"/>{_square(167, 14)}{_text(184, 18, teacher, size=12)}'
    )
