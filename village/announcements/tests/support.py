"""What the announcement tests share: sending one as a persona would, through the policy and
the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from village.accounts.models import User
from village.announcements import policies
from village.announcements.models import Announcement, AudienceScope
from village.announcements.services.announcements import Draft, announcement_create

TITLE = "Field trip on Friday"
BODY = "We visit the river on Friday. Bring a packed lunch and boots."


def announce(
    author: User,
    scope: AudienceScope = AudienceScope.CLASS,
    *,
    class_id: int | None = None,
    school_id: int | None = None,
    grade: str = "",
    district_id: int | None = None,
    now: dt.datetime | None = None,
    files: Any = (),
    **draft: Any,
) -> Announcement:
    target = policies.target_for_announcer(
        author,
        scope=scope,
        class_id=class_id,
        school_id=school_id,
        grade=grade,
        district_id=district_id,
    )
    fields = {"title": TITLE, "body": BODY, **draft}
    return announcement_create(
        author=author, target=target, draft=Draft(**fields), files=files, now=now
    )
