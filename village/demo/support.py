"""The demo's student profiles, written through the support services as people would:

- Ada's *about me* in her own words, and her mother Sam's *from home* in Spanish;
- Ms. Rivera's school note on Ada, for the staff;
- an accommodation for Leo in Ms. Rivera's science class (extended time), set by Ms. Nguyen;
- Ms. Nguyen on the school's support team as its counsellor, with one note on Leo only she reads.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from village.accounts.models import User
from village.community.models import OrgRole, Role
from village.support.models import Category, Topic, Visibility
from village.support.services.accommodations import AccommodationFields, accommodation_add
from village.support.services.entries import entry_save
from village.support.services.team import team_member_add

_ADA = {
    Topic.INTERESTS: "Drawing clouds, and keeping my weather diary every morning.",
    Topic.HELPS_ME_LEARN: "Pictures and trying things with my hands before I write about them.",
    Topic.FOR_MY_TEACHERS: "I get nervous when I read aloud, but I like answering questions.",
}
_SAM_ON_ADA = {
    Topic.HOME_INTERESTS: (
        "A Ada le encanta dibujar y ayudar a su abuela en la huerta los fines de semana."
    ),
    Topic.HOME_LANGUAGES: "En casa hablamos español e inglés; Ada lee en los dos idiomas.",
}


def demo_support_build(*, today: dt.date | None = None) -> dict[str, int]:
    """Build the demo's profiles; the counts of what was written."""
    day = today or timezone.localdate()
    people = User.objects.in_bulk(
        ["ada", "leo", "sam", "rivera", "nguyen", "priya"], field_name="username"
    )
    ada, leo, sam = people["ada"], people["leo"], people["sam"]
    rivera, nguyen, priya = people["rivera"], people["nguyen"], people["priya"]
    school = OrgRole.objects.get(user=nguyen, role=Role.SCHOOL_ADMIN).organisation
    entries = 0
    for topic, text in _ADA.items():
        entry_save(author=ada, student=ada, topic=topic, text=text, language="en")
        entries += 1
    for topic, text in _SAM_ON_ADA.items():
        entry_save(author=sam, student=ada, topic=topic, text=text, language="es")
        entries += 1
    entry_save(
        author=rivera,
        student=ada,
        topic=Topic.OBSERVED_STRENGTHS,
        text="Ada asks sharp questions about the weather data; invite her to share them.",
        language="en",
        visibility=Visibility.STAFF,
    )
    team_member_add(actor=priya, school=school, user=nguyen, kind="counsellor")
    entry_save(
        author=nguyen,
        student=leo,
        topic=Topic.NEEDS,
        text="Leo worries about timed math tests since he moved schools; we meet on Tuesdays.",
        language="en",
        visibility=Visibility.RESTRICTED,
        readers=[nguyen],
    )
    accommodation_add(
        author=nguyen,
        student=leo,
        fields=AccommodationFields(
            category=Category.TIMING,
            title="Extended time (time and a half) on tests and timed work",
            starts_on=day - dt.timedelta(days=30),
            ends_on=day + dt.timedelta(days=90),
            details="Agreed with Leo and his family; Ms. Rivera gives it in science.",
            visibility=Visibility.FAMILY,
        ),
    )
    return {"profile entries": entries + 2, "accommodations": 1}
