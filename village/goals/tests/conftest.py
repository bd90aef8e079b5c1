"""The goals tests' district: Ms. Rivera's published "Weather and the water cycle" set for the
grade-5 homeroom (Ada, Maya), open today; ``ada``: Ada's plan, sent."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from village.demo.personas import Personas
from village.goals.models import Plan
from village.goals.tests.factories import WeatherSet, ada_plan, weather_set


@dataclass
class Goals:
    people: Personas
    weather: WeatherSet


@pytest.fixture
def goals(personas: Personas) -> Goals:
    return Goals(people=personas, weather=weather_set(personas.homeroom5, personas.rivera))


@pytest.fixture
def ada(goals: Goals) -> Plan:
    return ada_plan(goals.people, goals.weather)
