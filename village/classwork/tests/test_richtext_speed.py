"""Formatting takes time in proportion to the text, whatever a teacher or a student writes.

A student's answer (up to ``LONG_TEXT_MAX`` characters) is linked on every grading page, and
instructions are formatted on every save; text built to make the patterns try every start
against every end must not hold a page for seconds. These are guards against run-away time, not
benchmarks: each input below took more than five seconds before, and takes milliseconds now.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from village.classwork.limits import LONG_TEXT_MAX
from village.classwork.richtext import is_html, linkify, render_instructions

N = LONG_TEXT_MAX

#: (text of about n characters, the functions that show such text)
PATHOLOGICAL: dict[str, tuple[Callable[[int], str], tuple[Callable[[str], object], ...]]] = {
    "address_closing_brackets": (
        lambda n: "http://" + ")" * n,
        (linkify, render_instructions),
    ),
    "address_dots_and_brackets": (
        lambda n: "http://" + ".)" * n,
        (linkify, render_instructions),
    ),
    "open_brackets": (lambda n: "[" * n, (render_instructions,)),
    "open_bracketed_words": (lambda n: "[a" * (n // 2), (render_instructions,)),
    "bold_markers": (lambda n: "**a " * (n // 4), (render_instructions,)),
    "star_markers": (lambda n: "*a " * (n // 3), (render_instructions,)),
    "underscore_markers": (lambda n: "_a " * (n // 3), (render_instructions,)),
    "tag_starts": (lambda n: "<p" * (n * 3 // 2), (is_html,)),
}
CASES = [
    pytest.param(make, show, id=f"{name}-{show.__name__}")
    for name, (make, shows) in PATHOLOGICAL.items()
    for show in shows
]


def _fastest(show: Callable[[str], object], text: str, runs: int = 5) -> float:
    """The shortest of a few runs, in seconds: other work on the machine only adds time."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        show(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(("make", "show"), CASES)
def test_pathological_text_is_shown_quickly(
    make: Callable[[int], str], show: Callable[[str], object]
) -> None:
    text = make(N)
    start = time.perf_counter()
    show(text)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(("make", "show"), CASES)
def test_four_times_the_text_takes_about_four_times_the_time(
    make: Callable[[int], str], show: Callable[[str], object]
) -> None:
    quarter = _fastest(show, make(N // 4))
    whole = _fastest(show, make(N))
    # time in proportion to the text grows four times; time growing with its square, sixteen
    assert whole < 6 * quarter + 0.05
