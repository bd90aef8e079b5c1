"""The conference tests' district: a published round at Riverside K-8, open for booking, with
three times of Ms. Rivera's and three of Mr. Chen's on the same afternoon; ``apart``: the same
round keeping households apart, Jordan (Leo's father, who does not live with him) taking
part."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from village.conferences.models import ConferenceRound, Slot
from village.conferences.tests.factories import (
    add_slots,
    jordan_talks_with_school,
    keep_households_apart,
    open_round,
)
from village.demo.personas import Personas


@dataclass
class Conferences:
    people: Personas
    round: ConferenceRound
    rivera: list[Slot]
    chen: list[Slot]


@pytest.fixture
def conferences(personas: Personas) -> Conferences:
    conference_round = open_round(personas)
    return Conferences(
        people=personas,
        round=conference_round,
        rivera=add_slots(conference_round, personas.rivera),
        chen=add_slots(conference_round, personas.chen, place="Room 21"),
    )


@pytest.fixture
def apart(conferences: Conferences) -> Conferences:
    """The round keeps households apart: Sam books for Leo's home, Jordan for his own."""
    jordan_talks_with_school(conferences.people)
    keep_households_apart(conferences.round)
    return conferences
