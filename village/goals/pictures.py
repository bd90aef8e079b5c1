"""Pictures of progress on learning goals, drawn on the server as SVG: pure functions from the
selectors' data to markup, so that any page (the teacher's, the student's, the family's) can
include them.

- The state marks (:func:`state_icon`, :func:`state_marks`, :func:`state_mark`) and the parts
  every picture is drawn with (:func:`svg_text`, :func:`svg_picture`…).
- :func:`path_picture`: one student's path through a set (``selectors.plans.PlanView``): the
  groups, the goals in the student's order with their states, and for each goal a small line
  of the levels over its efforts, the student's own beside the teacher's (never averaged).
- The class overview is drawn in ``village.goals.overview_picture`` with the same parts.

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

from village.goals.progress import GoalState
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


def svg_markup(html: str) -> SafeString:
    """Markup built by these pictures, safe to write into a page."""
    return mark_safe(html)  # noqa: S308 - built here from numbers and escaped text only


def num(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def shorten(text: str, chars: int) -> str:
    """``text`` cut to ``chars`` characters with an ellipsis (the full text is in the
    description)."""
    return text if len(text) <= chars else text[: max(1, chars - 1)].rstrip() + "…"


def svg_text(
    x: float, y: float, text: str, *, size: int = 13, fill: str = INK, **attrs: str
) -> str:
    """A line of text; ``attrs`` are more presentation attributes (``text_anchor`` is written
    ``text-anchor``)."""
    extra = "".join(f' {name.replace("_", "-")}="{value}"' for name, value in attrs.items())
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" fill="{fill}"{extra}>'
        f"{escape(text)}</text>"
    )


# --- the state marks --------------------------------------------------------------------------


def state_shape(state: GoalState, r: float = 8) -> str:
    """The mark of ``state``, centred on (0, 0), ``r`` its radius."""
    colour = COLOURS[state]
    if state == GoalState.NOT_CHOSEN:
        return (
            f'<line x1="{num(-r * 0.6)}" y1="0" x2="{num(r * 0.6)}" y2="0" stroke="{colour}" '
            'stroke-width="2" stroke-linecap="round"/>'
        )
    ring = f'<circle r="{num(r - 1)}" fill="#fff" stroke="{colour}" stroke-width="2"/>'
    if state == GoalState.CHOSEN:
        return ring
    if state == GoalState.IN_PROGRESS:
        half = f'<path d="M0,{num(-r + 1)} A{num(r - 1)},{num(r - 1)} 0 0 0 0,{num(r - 1)} Z"'
        return f'{ring}{half} fill="{colour}"/>'
    glyph = {GoalState.ASKED: "?", GoalState.STALLED: "!"}.get(state)
    if state == GoalState.ASKED:
        shape = f'<path d="M0,{num(-r)} L{num(r)},0 L0,{num(r)} L{num(-r)},0 Z" fill="{colour}"/>'
    elif state == GoalState.STALLED:
        shape = (
            f'<path d="M0,{num(-r)} L{num(r)},{num(r * 0.8)} L{num(-r)},{num(r * 0.8)} Z" '
            f'fill="{colour}"/>'
        )
    else:  # met: a disc with a tick
        tick = (
            f"M{num(-r * 0.5)},0 L{num(-r * 0.1)},{num(r * 0.4)} L{num(r * 0.55)},{num(-r * 0.4)}"
        )
        return (
            f'<circle r="{num(r)}" fill="{colour}"/><path d="{tick}" fill="none" stroke="#fff" '
            'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>'
        )
    y = r * 0.45 if state == GoalState.ASKED else r * 0.6
    return shape + (
        f'<text x="0" y="{num(y)}" text-anchor="middle" font-size="{num(r * 1.25)}" '
        f'font-weight="700" fill="#fff">{glyph}</text>'
    )


def state_icon(state: GoalState, size: int = 18) -> SafeString:
    """The mark of ``state`` alone, for keys and table cells: hidden from assistive technology
    (the state's name goes beside it)."""
    half = size / 2
    return svg_markup(
        f'<svg class="goal-state-icon" width="{size}" height="{size}" '
        f'viewBox="{num(-half)} {num(-half)} {size} {size}" aria-hidden="true" focusable="false">'
        f"{state_shape(state, half - 1)}</svg>"
    )


def state_marks(id_prefix: str = "goal-mark", size: int = 18) -> SafeString:
    """Every state's mark, defined once and drawn nowhere: a page with many marks (the
    overview's table) writes this once and each mark as :func:`state_mark`."""
    return svg_markup(
        f'<svg width="0" height="0" aria-hidden="true" focusable="false">'
        f"{mark_defs(id_prefix, size / 2 - 1)}</svg>"
    )


def state_mark(state: GoalState, id_prefix: str = "goal-mark", size: int = 18) -> SafeString:
    """The mark of ``state``, drawn from :func:`state_marks` on the same page (hidden from
    assistive technology: the state's name goes beside it)."""
    half = size / 2
    return svg_markup(
        f'<svg class="goal-state-icon" width="{size}" height="{size}" '
        f'viewBox="{num(-half)} {num(-half)} {size} {size}" aria-hidden="true" focusable="false">'
        f'<use href="#{id_prefix}-{state.value}"/></svg>'
    )


def mark_defs(prefix: str, r: float) -> str:
    """Every state's mark (``r`` its radius) as ``<defs>``, each ``#{prefix}-{state}`` for
    ``<use>``."""
    shapes = "".join(
        f'<g id="{prefix}-{state.value}">{state_shape(state, r)}</g>' for state in GoalState
    )
    return f"<defs>{shapes}</defs>"


def svg_picture(
    prefix: str, width: float, height: float, title: str, desc: str, body: str, *, fit: bool = False
) -> str:
    """``fit``: no wider than its container (a printed page), however wide it is drawn."""
    if fit and width > PRINT_WIDTH:
        size = 'width="100%"'
    else:
        size = f'width="{num(width)}" height="{num(height)}"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="goal-picture" role="img" {size} '
        f'viewBox="0 0 {num(width)} {num(height)}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT}">'
        f'<title id="{prefix}-title">{escape(title)}</title>'
        f'<desc id="{prefix}-desc">{escape(desc)}</desc>{body}</svg>'
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
    body = [mark_defs(id_prefix, 9), _spark_key()]
    y = KEY_HEIGHT
    dots: list[float] = []
    for group in view.groups:
        if not group.chosen:
            continue
        # Right of the path's line, which runs down the left through every group.
        body.append(
            svg_text(30, y + 20, shorten(group.group.title, 34), size=14, font_weight="700")
        )
        y += GROUP_HEIGHT
        for goal in group.chosen:
            dots.append(y + 14)
            body.append(_goal_row(goal, y, id_prefix))
            y += GOAL_HEIGHT
    if not dots:
        body.append(svg_text(4, y + 20, _("No goals chosen yet."), fill=MUTED))
        y += GROUP_HEIGHT
    line = _path_line(dots)
    height = y + 6
    return svg_markup(
        svg_picture(
            id_prefix, PATH_WIDTH, height, title, path_description(view), line + "".join(body)
        )
    )


def _path_line(dots: Sequence[float]) -> str:
    """The path: a line down through every goal's mark (drawn under the marks)."""
    if len(dots) < 2:
        return ""
    return (
        f'<line x1="16" y1="{num(dots[0])}" x2="16" y2="{num(dots[-1])}" stroke="{LINE}" '
        'stroke-width="4" stroke-linecap="round"/>'
    )


def _goal_row(goal: GoalView, y: float, prefix: str) -> str:
    parts = [
        f'<use href="#{prefix}-{goal.state.value}" x="16" y="{num(y + 14)}"/>',
        svg_text(34, y + 18, shorten(goal.goal.title, 36), font_weight="600"),
        svg_text(34, y + 40, shorten(str(goal.state.label), 21), size=12, fill=MUTED),
    ]
    levels = goal_levels(goal)
    if levels.own or levels.teacher:
        parts.append(_sparkline(levels, SPARK_LEFT, y + 26))
    else:
        parts.append(svg_text(SPARK_LEFT, y + 40, _("no effort yet"), size=12, fill=MUTED))
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
        f'<line x1="{num(left)}" y1="{num(top + SPARK_HEIGHT)}" x2="{num(left + SPARK_WIDTH)}" '
        f'y2="{num(top + SPARK_HEIGHT)}" stroke="{LINE}" stroke-width="1"/>'
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
        f'<polyline points="{" ".join(f"{num(x)},{num(y)}" for x, y in found)}" fill="none" '
        f'stroke="{colour}" stroke-width="2"{dash}/>'
    )


def _dot(x: float, y: float) -> str:
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="3" fill="{SELF_COLOUR}"/>'


def _square(x: float, y: float) -> str:
    return (
        f'<rect x="{num(x - 3)}" y="{num(y - 3)}" width="6" height="6" fill="#fff" '
        f'stroke="{TEACHER_COLOUR}" stroke-width="2"/>'
    )


def _spark_key() -> str:
    """The key of the lines of levels, at the top of the path."""
    own, teacher = _("self-assessed level"), _("teacher's level")
    return (
        f'<line x1="4" y1="14" x2="26" y2="14" stroke="{SELF_COLOUR}" stroke-width="2"/>'
        f"{_dot(15, 14)}{svg_text(32, 18, own, size=12)}"
        f'<line x1="156" y1="14" x2="178" y2="14" stroke="{TEACHER_COLOUR}" stroke-width="2" '
        f'stroke-dasharray="4 3"/>{_square(167, 14)}{svg_text(184, 18, teacher, size=12)}'
    )
