"""Time a district-wide announcement to every guardian (PostgreSQL).

    make bench-messaging
    .venv/bin/python bench/messaging.py --students 2000      # a quick run

On the generated district (``village generate --no-classwork``; 50,000 students and about
53,000 guardians by default, reused when it is already there), its district administrator
announces to every family of the district, and the time is taken from the request's service
call to its commit:

0. a warm-up: one school's staff (templates, translations and URLs loaded, as in a running
   process);
1. **urgent** (a closure) to one school, then to the whole district, twice (the better run
   counts): every guardian's recipient row, notification and email (urgent announcements are
   emailed at once, whatever people chose) — the worst case, and the target: at most 10
   seconds for the 50,000-student district. From a smaller district the figure for that one
   is projected: the fixed part, and the cost of each guardian more (the slope between one
   school and the district);
2. **ordinary**: recipients and notifications; the emails wait for each guardian's daily digest
   (the kind's default), so fewer rows are written;
3. the same ordinary announcement **scheduled** and sent by the worker's sweep, and the sweep
   run again (it writes nothing);
4. **translation**: a class announcement from every teacher of one school, translated by the
   background worker into its families' languages (Apertium for English to Spanish; pairs no
   engine has are counted apart: their readers see the original).

Each line gives the rows written, the seconds, and the SQL statements run (they do not grow with
the district: the rows go in by ``INSERT ... SELECT`` and ``COPY``). Compare within one run: the
machine is noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.outbox import _create_database, _line  # noqa: E402 (the repository first)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/village_bench_announcements"
BENCH_SECRET_KEY = "village-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
TARGET_SECONDS = 10.0
TARGET_STUDENTS = 50_000


def main() -> None:
    options = _arguments()
    os.environ.update(
        {
            "DATABASE_URL": options.database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "VILLAGE_PRODUCTION": "1",
            "VILLAGE_SECRET_KEY": BENCH_SECRET_KEY,
            "VILLAGE_ALLOWED_HOSTS": "127.0.0.1",
            "VILLAGE_LOG_LEVEL": "WARNING",
            "VILLAGE_VAR_DIR": str(REPO / "var" / "bench"),
        }
    )
    (REPO / "var" / "bench").mkdir(parents=True, exist_ok=True)
    _create_database(options.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _district(options.students)
    _empty()
    author, district = _district_admin()
    if options.translation_only:
        _translation(district)
        return
    _warm_up(author, district)
    school = district.children.order_by("pk").first()
    few, one_school = _announce(author, district, school=school, label="urgent, one school")
    many, urgent = min(
        _announce(author, district, label="urgent, emailed to all"),
        _announce(author, district, label="urgent, again"),
        key=lambda run: run[1],
    )
    _announce(author, district, urgent=False, label="ordinary, digest emails")
    _scheduled(author, district)
    _translation(district)
    # Each guardian more costs the slope between one school and the district; the rest is
    # fixed. 50,000 students have about 53,000 guardians.
    slope = (urgent - one_school) / max(many - few, 1)
    guardians = round(many * TARGET_STUDENTS / options.students)
    projected = urgent + slope * (guardians - many)
    _line(
        "target",
        f"urgent to every guardian: {urgent:.2f} s for {many:,} guardians "
        f"({1e6 * slope:,.0f} µs each beyond the fixed part); projected {projected:.1f} s for "
        f"{guardians:,} ({TARGET_STUDENTS:,} students), target {TARGET_SECONDS:.0f} s",
    )


def _district(students: int) -> None:
    from django.core.management import call_command

    from village.community.models import Organisation, OrgRole, Role
    from village.demo.community.synthetic import DISTRICT_SOURCED_ID

    district = Organisation.objects.filter(sourced_id=DISTRICT_SOURCED_ID).first()
    found = (
        OrgRole.objects.filter(role=Role.STUDENT, organisation__parent=district).count()
        if district is not None
        else 0
    )
    if found == students:
        _line("district", f"reused: {found:,} students")
        return
    started = time.perf_counter()
    call_command(
        "generate", "--reset", "--no-classwork", "--students", str(students), "--seed", "1"
    )
    _analyse()
    _line("district", f"generated in {time.perf_counter() - started:.0f} s")


def _empty() -> None:
    from django.db import connection

    from village.announcements import models as announcements
    from village.notifications import models as notifications
    from village.translation.models import Translation

    tables = [
        model._meta.db_table
        for model in (
            announcements.Recipient,
            announcements.Reply,
            announcements.Attachment,
            announcements.Announcement,
            notifications.Delivery,
            notifications.Letter,
            notifications.Notification,
            Translation,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def _district_admin():
    from village.community.models import OrgRole, Role
    from village.demo.community.synthetic import DISTRICT_SOURCED_ID

    role = OrgRole.objects.select_related("user", "organisation").get(
        role=Role.DISTRICT_ADMIN, organisation__sourced_id=DISTRICT_SOURCED_ID
    )
    return role.user, role.organisation


def _warm_up(author, district) -> None:
    """One urgent announcement to one school's staff, first: a deployed process has its
    templates, translations and URLs loaded already; this one takes that time here."""
    from village.announcements import policies
    from village.announcements.models import AudienceScope
    from village.announcements.services.announcements import Draft, announcement_create

    school = district.children.order_by("pk").first()
    target = policies.target_for_announcer(author, scope=AudienceScope.SCHOOL, school_id=school.pk)
    draft = Draft(title="Staff meeting", body="At 15:00.", to_families=False, to_staff=True)
    started = time.perf_counter()
    announcement_create(author=author, target=target, draft=draft)
    _line("warm-up", f"a school's staff in {time.perf_counter() - started:.2f} s")


def _announce(
    author, district, *, label: str, urgent: bool = True, school=None
) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from village.announcements import policies
    from village.announcements.models import AudienceScope, Recipient
    from village.announcements.services.announcements import Draft, announcement_create
    from village.notifications.models import Delivery, Notification

    if school is None:
        target = policies.target_for_announcer(
            author, scope=AudienceScope.DISTRICT, district_id=district.pk
        )
    else:
        target = policies.target_for_announcer(
            author, scope=AudienceScope.SCHOOL, school_id=school.pk
        )
    draft = Draft(
        title="Schools closed tomorrow" if urgent else "Family survey",
        body="All schools of the district are closed tomorrow because of the storm. "
        "Classes resume the day after; the school's website has the latest news.",
        urgent=urgent,
    )
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        announcement = announcement_create(author=author, target=target, draft=draft)
    seconds = time.perf_counter() - started
    recipients = Recipient.objects.filter(announcement=announcement).count()
    notes = Notification.objects.filter(
        subject=f"announcements.announcement:{announcement.pk}"
    ).count()
    emails = Delivery.objects.filter(
        notification__subject=f"announcements.announcement:{announcement.pk}"
    ).count()
    _line(
        label,
        f"{recipients:,} guardians, {notes:,} notifications, {emails:,} emails in {seconds:.2f} s "
        f"({recipients / seconds:,.0f} guardians/s), {len(captured)} statements",
    )
    return recipients, seconds


def _scheduled(author, district) -> None:
    from django.utils import timezone

    from village.announcements import policies
    from village.announcements.models import AudienceScope
    from village.announcements.services.announcements import Draft, announcement_create
    from village.announcements.services.sending import scheduled_sweep

    now = timezone.now()
    target = policies.target_for_announcer(
        author, scope=AudienceScope.DISTRICT, district_id=district.pk
    )
    later = now + dt.timedelta(minutes=5)
    draft = Draft(title="Calendar for next term", body="The calendar is online.", send_at=later)
    announcement_create(author=author, target=target, draft=draft, now=now)
    started = time.perf_counter()
    written = scheduled_sweep(later)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = scheduled_sweep(later + dt.timedelta(minutes=1))
    second = time.perf_counter() - started
    _line(
        "scheduled, by the sweep",
        f"{written:,} recipients in {first:.2f} s; again: {again} in {second:.3f} s",
    )


#: A class announcement as teachers write them: about 120 words.
CLASS_NOTE = (
    "Dear families, next Thursday our class visits the science museum. The bus leaves school "
    "at 8:30 and we return by 14:00, in time for the afternoon pick-up. Please send a packed "
    "lunch, a water bottle and a warm coat: part of the visit is in the garden. If your child "
    "needs medicine during the day, tell me by Tuesday so the school nurse can prepare it. We "
    "still need two parents to come with us; if you can help, reply to this message. In class "
    "this week we are reading about the water cycle, and the museum has a room where the "
    "children can make rain themselves. Ask your child what they expect to see, and after the "
    "visit, what surprised them most. Thank you for your help, and see you at the spring "
    "concert next month."
)


def _translation(district) -> None:
    """4. **translation**: every teacher of one school sends a class announcement, and the
    background worker (``village.translation.worker``, the configured engines: Apertium by
    default) translates each title and body into the languages its families read. Reported:
    the (text, language) rows, how many an engine had and how many it had not (the original
    shows), and the rate of the worker's passes."""
    from village.accounts.models import User
    from village.announcements import policies
    from village.announcements.models import AudienceScope
    from village.announcements.services.announcements import Draft, announcement_create
    from village.community.models import Enrollment, EnrollmentRole
    from village.translation import worker
    from village.translation.models import Translation, TranslationState

    school = district.children.order_by("pk").first()
    teachers: dict[int, User] = {}
    for enrollment in (
        Enrollment.objects.filter(school_class__school=school, role=EnrollmentRole.TEACHER)
        .select_related("user")
        .order_by("school_class_id")
    ):
        teachers.setdefault(enrollment.school_class_id, enrollment.user)
    Translation.objects.all().delete()
    started = time.perf_counter()
    for class_id, teacher in teachers.items():
        target = policies.target_for_announcer(
            teacher, scope=AudienceScope.CLASS, class_id=class_id
        )
        # Each class's own words (its name in the title, the room in the body), as teachers
        # write them: no two classes share a text, so every one is translated.
        title = f"Museum visit next Thursday ({teacher.last_name}, class {class_id})"
        draft = Draft(title=title, body=f"{CLASS_NOTE} Room {class_id}.")
        announcement_create(author=teacher, target=target, draft=draft)
    sent = time.perf_counter() - started
    rows = Translation.objects.count()
    languages = sorted(set(Translation.objects.values_list("target_language", flat=True)))
    started = time.perf_counter()
    passes = 0
    while Translation.objects.filter(state=TranslationState.PENDING).exists():
        worker.run()
        passes += 1
    seconds = time.perf_counter() - started
    done = Translation.objects.filter(state=TranslationState.DONE)
    translated = done.count()
    words = sum(len(source.split()) for source in done.values_list("source", flat=True))
    _line(
        "translation",
        f"{len(teachers)} classes sent in {sent:.2f} s; {rows:,} (text, language) rows into "
        f"{', '.join(languages) or 'no other language'}: {translated:,} translated, "
        f"{rows - translated:,} without an engine for the pair, in {seconds:.2f} s over "
        f"{passes} worker passes ({translated / max(seconds, 1e-9):,.1f} texts/s, "
        f"{words / max(seconds, 1e-9):,.0f} words/s); one class: "
        f"{seconds / max(len(teachers), 1):.2f} s",
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=TARGET_STUDENTS)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_URL)
    parser.add_argument(
        "--translation-only", action="store_true", help="Only the translation part (4)."
    )
    return parser.parse_args()


def _analyse() -> None:
    """Vacuum and analyse the freshly generated tables: PostgreSQL's planner needs their
    statistics, and autovacuum may be off (or not have caught up) on a benchmark machine."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


if __name__ == "__main__":
    main()
