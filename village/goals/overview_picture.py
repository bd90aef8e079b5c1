"""The class overview as a picture, drawn on the server as SVG from ``selectors.overview``: a
class on a set, students x goals, each cell the student's state on the goal; wide (every goal
side by side) or drawn for a phone (about 330 wide, scaled to the page: shorter names, at most
ten goals side by side). Drawn with the state marks and parts of ``village.goals.pictures``
(each state told by its shape and mark as well as its colour; the picture labelled by its own
``<title>`` and described by its ``<desc>``, :func:`overview_summary`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from village.goals.models import PlanState
from village.goals.pictures import (
    INK,
    MUTED,
    RULE,
    STRIPE,
    mark_defs,
    num,
    shorten,
    svg_markup,
    svg_picture,
    svg_text,
)
from village.goals.progress import GoalState
from village.goals.selectors.overview import Column, Overview, Row


@dataclass(frozen=True, slots=True)
class _Grid:
    """How the overview is drawn: the names' column, a cell's side, how many characters of a
    name fit and their size, and how many goals side by side (0: all; more go in further
    blocks below, each with its own numbers)."""

    name_width: int
    cell: int
    name_chars: int
    name_size: int
    per_block: int


#: A screen or a page: every goal side by side (a wide set is scaled down to its container).
WIDE = _Grid(name_width=196, cell=26, name_chars=26, name_size=13, per_block=0)
#: A phone: about 330 wide, drawn to the container's width (0.87 times at 320 pixels), at most
#: ten goals side by side, the names cut shorter.
NARROW = _Grid(name_width=106, cell=22, name_chars=14, name_size=12, per_block=10)
NAME_WIDTH = WIDE.name_width
CELL = WIDE.cell
BAND_HEIGHT = 22
NUMBER_HEIGHT = 20
BLOCK_GAP = 14


def plan_note(row: Row) -> str:
    """What a row says about the student's plan when they have not chosen yet."""
    if row.plan_state is None:
        return _("no plan")
    if row.plan_state == PlanState.DRAFT:
        return _("draft")
    return ""


def overview_shown(overview: Overview) -> str:
    """How many students and goals are shown: the summary's first sentence."""
    return (
        ngettext(
            "%(students)s of %(total)s student shown",
            "%(students)s of %(total)s students shown",
            overview.students,
        )
        % {"students": len(overview.rows), "total": overview.students}
        + ", "
        + ngettext("%(goals)s goal.", "%(goals)s goals.", len(overview.columns))
        % {"goals": len(overview.columns)}
    )


def overview_summary(overview: Overview) -> str:
    """The picture in words: the students and goals shown, how many cells are in each state,
    and who has not chosen yet."""
    parts = [overview_shown(overview)]
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
    overview: Overview,
    *,
    id_prefix: str = "overview",
    fit: bool = False,
    desc: str | None = None,
    narrow: bool = False,
) -> SafeString:
    """The class on the set: a row per student, a column per goal (numbered; the numbers are
    the goals' key), grouped under their groups' names; each cell the student's state.
    ``fit``: scaled down to its container's width (a printout) when wider than a page;
    ``desc``: its description, when the page has written :func:`overview_summary` already;
    ``narrow``: drawn for a phone (:data:`NARROW`: short names, blocks of ten goals)."""
    grid = NARROW if narrow else WIDE
    columns = overview.columns
    per = grid.per_block or max(1, len(columns))
    blocks = [columns[i : i + per] for i in range(0, len(columns), per)] or [()]
    width = overview_width(len(columns), narrow=narrow)
    body = [mark_defs(id_prefix, 8)]
    top = 0.0
    for block in blocks:
        body += _block(overview, block, grid, top, width, id_prefix)
        top += BAND_HEIGHT + NUMBER_HEIGHT + 4 + grid.cell * len(overview.rows) + BLOCK_GAP
    height = top - BLOCK_GAP + 6
    title = _("Class overview of “%(set)s”") % {"set": overview.goal_set.title}
    desc = overview_summary(overview) if desc is None else desc
    return svg_markup(svg_picture(id_prefix, width, height, title, desc, "".join(body), fit=fit))


def overview_width(goals: int, *, narrow: bool = False) -> int:
    """How wide :func:`overview_picture` is drawn for ``goals`` goals (before any scaling)."""
    grid = NARROW if narrow else WIDE
    side_by_side = min(goals, grid.per_block) if grid.per_block else goals
    return grid.name_width + grid.cell * side_by_side + 8


def _block(
    overview: Overview,
    columns: Sequence[Column],
    grid: _Grid,
    top: float,
    width: float,
    prefix: str,
) -> list[str]:
    """The goals ``columns`` (side by side) for every student, from ``top`` down."""
    first = top + BAND_HEIGHT + NUMBER_HEIGHT + 4
    offset = overview.columns.index(columns[0]) if columns else 0
    body = _stripes(overview.rows, width, first, grid.cell)
    body += _header(overview, columns, grid, top, first)
    refs = {state: f'href="#{prefix}-{state.value}"' for state in GoalState}
    starts = [grid.name_width + grid.cell * i + grid.cell / 2 for i in range(len(columns))]
    for index, row in enumerate(overview.rows):
        y = first + grid.cell * index + grid.cell / 2
        states = row.states[offset : offset + len(columns)]
        if grid is NARROW and plan_note(row) and set(states) == {GoalState.NOT_CHOSEN}:
            # No goal to mark: the row says why in words where the dashes would be.
            body.append(_row_name(row, y, grid))
            note = plan_note(row)
            body.append(
                svg_text(grid.name_width + 6, y + 4.5, note, fill=MUTED, font_style="italic")
            )
            continue
        body.append(_row_name(row, y, grid))
        cy = num(y)
        body.append(
            "".join(
                f'<use {refs[state]} x="{num(x)}" y="{cy}"/>'
                for x, state in zip(starts, states, strict=True)
            )
        )
    return body


def _stripes(rows: Sequence[Row], width: float, top: float, cell: int = CELL) -> list[str]:
    return [
        f'<rect x="0" y="{num(top + cell * i)}" width="{num(width)}" height="{cell}" '
        f'fill="{STRIPE}"/>'
        for i in range(1, len(rows), 2)
    ]


def _header(
    overview: Overview, columns: Sequence[Column], grid: _Grid, top: float, first: float
) -> list[str]:
    """Each group's name over its columns, a rule between groups, and the goals' numbers."""
    parts = []
    x = grid.name_width
    bottom = first + grid.cell * len(overview.rows)
    shown = {column.goal_id for column in columns}
    for band in overview.bands:
        mine = [column for column in band.columns if column.goal_id in shown]
        if not mine:
            continue
        span = grid.cell * len(mine)
        parts.append(
            svg_text(
                x + 3, top + BAND_HEIGHT - 7, shorten(band.title, max(2, int(span / 7))), size=12
            )
        )
        parts.append(
            f'<line x1="{num(x)}" y1="{num(top + 2)}" x2="{num(x)}" y2="{num(bottom)}" '
            f'stroke="{RULE}" stroke-width="1"/>'
        )
        for column in mine:
            parts.append(
                svg_text(
                    x + grid.cell / 2,
                    top + BAND_HEIGHT + NUMBER_HEIGHT - 5,
                    str(column.number),
                    size=11,
                    text_anchor="middle",
                    font_weight="600" if column.core else "400",
                )
            )
            x += grid.cell
    parts.append(
        f'<line x1="0" y1="{num(first - 1)}" x2="{num(x)}" y2="{num(first - 1)}" stroke="{RULE}" '
        'stroke-width="1"/>'
    )
    return parts


def _row_name(row: Row, y: float, grid: _Grid = WIDE) -> str:
    note = plan_note(row)
    chars = grid.name_chars
    if not note or grid is NARROW:
        return svg_text(6, y + 4.5, shorten(row.name, chars), size=grid.name_size)
    name = shorten(row.name, chars - len(note) - 3)
    return (
        f'<text x="6" y="{num(y + 4.5)}" font-size="13" fill="{INK}">{escape(name)}'
        f'<tspan fill="{MUTED}" font-style="italic"> · {escape(note)}</tspan></text>'
    )
