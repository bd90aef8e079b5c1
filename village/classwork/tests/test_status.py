"""The status of a piece of work follows from facts and the clock, never from a typed value."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from village.classwork.status import DONE, WorkStatus, work_status

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
DUE = dt.datetime(2026, 11, 18, 23, 59, tzinfo=dt.UTC)


def status(**facts: object) -> WorkStatus:
    values: dict[str, object] = {
        "due_at": DUE,
        "submitted_at": None,
        "returned_at": None,
        "excused": False,
        "now": NOW,
    }
    values.update(facts)
    return work_status(**values)  # type: ignore[arg-type]


def test_nothing_handed_in_before_the_due_time_is_not_yet_due() -> None:
    assert status(now=DUE - dt.timedelta(hours=1)) == WorkStatus.NOT_YET_DUE


def test_work_without_a_due_time_is_never_missing() -> None:
    assert status(due_at=None) == WorkStatus.NOT_YET_DUE


def test_nothing_handed_in_after_the_due_time_is_missing() -> None:
    assert status() == WorkStatus.MISSING
    assert status(now=DUE) == WorkStatus.NOT_YET_DUE  # due at that very minute: not yet


def test_handed_in_on_time_is_submitted_and_after_the_due_time_is_late() -> None:
    assert status(submitted_at=DUE) == WorkStatus.SUBMITTED
    assert status(submitted_at=DUE + dt.timedelta(seconds=1)) == WorkStatus.LATE
    assert status(due_at=None, submitted_at=NOW) == WorkStatus.SUBMITTED


def test_returned_feedback_makes_it_graded_until_the_student_hands_in_again() -> None:
    returned = DUE + dt.timedelta(days=1)
    assert status(submitted_at=DUE, returned_at=returned) == WorkStatus.GRADED
    # Work graded on paper, nothing handed in online: graded, not missing.
    assert status(returned_at=returned) == WorkStatus.GRADED
    again = returned + dt.timedelta(hours=2)
    assert status(submitted_at=again, returned_at=returned) == WorkStatus.LATE
    assert (
        status(due_at=again + dt.timedelta(days=1), submitted_at=again, returned_at=returned)
        == WorkStatus.SUBMITTED
    )


def test_excused_wins_over_everything() -> None:
    assert status(excused=True) == WorkStatus.EXCUSED
    assert status(excused=True, submitted_at=NOW, returned_at=NOW) == WorkStatus.EXCUSED


moments = st.one_of(
    st.none(),
    st.integers(min_value=-30 * 24, max_value=30 * 24).map(
        lambda hours: NOW + dt.timedelta(hours=hours)
    ),
)


@given(due=moments, submitted=moments, returned=moments, excused=st.booleans())
def test_status_rules_hold_for_any_facts(
    due: dt.datetime | None,
    submitted: dt.datetime | None,
    returned: dt.datetime | None,
    excused: bool,
) -> None:
    result = work_status(
        due_at=due, submitted_at=submitted, returned_at=returned, excused=excused, now=NOW
    )
    if excused:
        assert result == WorkStatus.EXCUSED
        return
    if result == WorkStatus.MISSING:
        assert submitted is None
        assert returned is None
        assert due is not None
        assert due < NOW
    if result == WorkStatus.LATE:
        assert submitted is not None
        assert due is not None
        assert submitted > due
    if result in (WorkStatus.SUBMITTED, WorkStatus.LATE):
        assert returned is None or (submitted is not None and submitted > returned)
    if submitted is not None:
        # Anything handed in counts as done: never missing, never not yet due.
        assert result in DONE
