"""The demo's conversations, written through the messaging services as people would write them:
Ms. Rivera and Sam about Leo's late lab report (Sam writes in Spanish), Sam asking Mr. Chen about
maths (not read yet), Ms. Rivera and Ada about her reading log, and the two teachers between
themselves about Leo. Ms. Rivera answers messages on weekdays, 7:30 to 15:30."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from village.accounts.models import User
from village.messaging import policies, services
from village.messaging.models import Conversation, ConversationKind
from village.messaging.policies import Invitees

WEEKDAYS = range(5)


def _at(now: dt.datetime, days: float, hour: int, minute: int = 0) -> dt.datetime:
    local = timezone.localtime(now) - dt.timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0)


def demo_messaging_build(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    people = {
        user.username: user
        for user in User.objects.filter(username__in=["rivera", "chen", "sam", "ada", "leo"])
    }
    if len(people) < 5:
        return {"conversations": 0}
    rivera, chen, sam = people["rivera"], people["chen"], people["sam"]
    services.set_office_hours(rivera, [(day, dt.time(7, 30), dt.time(15, 30)) for day in WEEKDAYS])

    def start(
        starter: User,
        about: User,
        kind: ConversationKind,
        subject: str,
        body: str,
        when: dt.datetime,
        staff: tuple[int, ...] = (),
        guardians: tuple[int, ...] = (),
    ) -> Conversation:
        student, school_id = policies.student_for_messages(starter, about.pk)
        return services.start(
            starter=starter,
            student=student,
            school_id=school_id,
            kind=kind,
            subject=subject,
            body=body,
            invitees=Invitees(staff=staff, guardians=guardians),
            now=when,
        ).conversation

    def reply(author: User, conversation: Conversation, body: str, when: dt.datetime) -> None:
        access = policies.conversation_for_participant(author, conversation.pk)
        services.reply(access, author, body, now=when)

    def read(reader: User, conversation: Conversation, when: dt.datetime) -> None:
        services.mark_read(policies.conversation_for_participant(reader, conversation.pk), now=when)

    lab = start(
        rivera,
        people["leo"],
        ConversationKind.FAMILY,
        "Leo's lab report on plant cells",
        "Hello Sam, Leo's lab report on plant cells was due last Friday and I have not received "
        "it yet. He understood the experiment well in class. Could he hand it in by Monday? "
        "He can come to the lab at lunch on Thursday if he needs help with the diagram.",
        _at(now, 3, 10, 5),
        guardians=(sam.pk,),
    )
    read(sam, lab, _at(now, 3, 18, 40))
    reply(
        sam,
        lab,
        "Gracias por avisarme. Leo estuvo enfermo el martes y no terminó el informe. "
        "Hablaré con él esta noche. ¿Puede entregarlo el lunes por la mañana?",
        _at(now, 3, 18, 52),
    )
    read(rivera, lab, _at(now, 2, 7, 45))
    reply(
        rivera,
        lab,
        "Of course, Monday morning is fine. I hope Leo is feeling better. Thank you for "
        "letting me know.",
        _at(now, 2, 7, 50),
    )
    read(sam, lab, _at(now, 2, 12, 10))

    maths = start(
        sam,
        people["leo"],
        ConversationKind.FAMILY,
        "Matemáticas: fracciones",
        "Buenas tardes, señor Chen. Leo dice que las fracciones le cuestan. ¿Hay ejercicios que "
        "podamos hacer en casa?",
        _at(now, 1, 17, 30),
        staff=(chen.pk,),
    )
    del maths

    reading = start(
        rivera,
        people["ada"],
        ConversationKind.STUDENT,
        "Your reading log",
        "Hi Ada, I loved your entry about the lighthouse book. Which chapter surprised you most?",
        _at(now, 4, 9, 15),
    )
    reply(
        people["ada"],
        reading,
        "The chapter where the storm comes! I did not expect it.",
        _at(now, 4, 15, 20),
    )
    read(rivera, reading, _at(now, 3, 8, 0))

    staff = start(
        rivera,
        people["leo"],
        ConversationKind.STAFF,
        "Leo: catching up after being ill",
        "Leo missed Tuesday. He is behind on the science lab report; is he keeping up in maths?",
        _at(now, 2, 8, 5),
        staff=(chen.pk,),
    )
    reply(
        chen,
        staff,
        "He is mostly fine in maths, a little unsure with fractions.",
        _at(now, 2, 11, 30),
    )
    return {"conversations": Conversation.objects.count()}
