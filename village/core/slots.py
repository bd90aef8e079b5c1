"""Templates rendered once with a slot for each value that varies, then filled in as often as
needed: for output written thousands of times in one go (the gradebook's cells, the weekly
digests of a district), where the template engine's loops would take most of the time.

A template is rendered once (in the active language) with a mark in place of each slot's value;
:meth:`Slots.fill` then writes the values in at the marks, escaped as the template would have
escaped them (``autoescape=False`` for plain text). A value given to a slot must already be what
the template would have written (a date formatted, a filter applied): filters in the template
act on the mark, not on the value.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from django.template.loader import get_template
from django.utils.safestring import SafeString


class Slots:
    def __init__(
        self,
        template: str,
        context: Mapping[str, object],
        slots: tuple[str, ...],
        *,
        autoescape: bool = True,
    ) -> None:
        values = {name: mark for mark, name in _marks(slots).items()}
        # Without the line break that ends the template's file.
        rendered = get_template(template).render({**context, **values}).removesuffix("\n")
        self._split(rendered, slots, autoescape)

    @classmethod
    def from_marked(cls, marked: str, slots: tuple[str, ...], *, autoescape: bool = True) -> Slots:
        """Slots from a template's output kept with its marks (:attr:`marked`), such as an
        email written once for many recipients and filled in when each is sent."""
        made = cls.__new__(cls)
        made._split(marked, slots, autoescape)
        return made

    def _split(self, marked: str, slots: tuple[str, ...], autoescape: bool) -> None:
        marks = _marks(slots)
        #: The output with a mark (``\x01`` for the first slot, …) at each slot.
        self.marked = marked
        parts = re.split(f"([{''.join(marks)}])", marked) if marks else [marked]
        self.first = parts[0]
        self.then = [
            (marks[mark], text) for mark, text in zip(parts[1::2], parts[2::2], strict=True)
        ]
        self.autoescape = autoescape

    def fill(self, values: Mapping[str, Any]) -> SafeString:
        """The template's output with ``values`` at its slots (escaped unless plain text)."""
        if self.autoescape:
            filled = [_escaped(values[name]) + text for name, text in self.then]
        else:
            filled = [str(values[name]) + text for name, text in self.then]
        # ``SafeString`` itself rather than ``mark_safe``: the same, without its lazy wrapping.
        return SafeString(self.first + "".join(filled))


def _marks(slots: tuple[str, ...]) -> dict[str, str]:
    """Each slot's mark: characters templates never write, and escaping leaves as they are."""
    return {chr(n + 1): name for n, name in enumerate(slots)}


def _escaped(value: Any) -> str:
    """``value`` as ``conditional_escape`` writes it (HTML as it is, text escaped), without its
    lazy-string wrapping: filling slots calls this hundreds of thousands of times."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))
