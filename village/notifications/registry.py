"""What apps register with notifications: alert kinds and digest sections.

``notifications`` imports no domain app. An app that has something to tell people registers, in
its ``AppConfig.ready()``:

- **alert kinds** (:func:`register_kind`): a name, who receives it, the link scope a guardian
  needs for it, its threshold if it has one, how its email goes by default, whether it may be
  texted, and whether it is urgent (exempt from quiet hours and the weekly budget). The app then
  calls :func:`village.notifications.services.notify` from its services (in the same transaction
  as the change), or registers an **alert checker** (:func:`register_checker`) that the alert
  engine runs, after the hold, for the students whose data changed;
- **digest sections** (:func:`register_digest_section`) for the weekly family email;
- **sweeps** (:func:`register_sweep`): what the clock causes (work turning missing at its due
  time), run by ``village worker`` set-based, a fixed number of queries per school.

Registering a name again replaces it; :func:`unregister` removes it (tests use it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from village.community.models import Scope
from village.families.surface import Child
from village.notifications.models import EmailMode

if TYPE_CHECKING:
    from village.accounts.models import User

T = TypeVar("T")


class Audience(models.TextChoices):
    GUARDIAN = "guardian", _("Families")
    STUDENT = "student", _("Students")
    TEACHER = "teacher", _("Teachers")
    ANYONE = "anyone", _("Everyone")


class Threshold(models.TextChoices):
    #: A percentage the value falls below.
    BELOW = "below", _("below")
    #: A percentage the value rises above.
    ABOVE = "above", _("above")
    #: Points a grade falls by over some weeks.
    DROP = "drop", _("falls by")


@dataclass(frozen=True, slots=True)
class AlertKind:
    name: str
    label: str | Promise
    audience: Audience
    #: What a guardian's link must allow (guardian kinds).
    scope: Scope = Scope.CLASSWORK
    #: Shown on a guardian's per-child alert settings.
    per_child: bool = False
    #: Guardians receive it unless they or their school turn it off.
    default_on: bool = True
    default_email: EmailMode = EmailMode.IMMEDIATE
    threshold: Threshold | None = None
    default_threshold: Decimal | None = None
    default_weeks: int | None = None
    #: May be texted (when the recipient turns texts on and a gateway is set up).
    sms: bool = False
    #: Urgent: sent at once whatever the hour and the week's budget.
    urgent: bool = False
    #: Counted in the weekly budget of immediate emails.
    budgeted: bool = True
    help: str | Promise = ""
    order: int = 100


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert condition a checker looked at for one recipient and child: it fires when
    ``active`` and it was not active when last looked at (see ``services.alerts``).

    ``compose`` gives the title and body, called in the recipient's language; ``email``
    ``False`` keeps it in Village (a guardian link that does not receive communications)."""

    recipient: User
    child_id: int | None
    kind: str
    #: What the condition is about: "assignment:12", "class:3".
    subject: str
    #: Is the condition true now? A false one only re-arms the alert.
    active: bool
    compose: Callable[[], tuple[str, str]] = lambda: ("", "")
    link: str = ""
    school_id: int | None = None
    email: bool = True
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckRequest:
    """What an alert checker is given: the students to look at, now."""

    student_ids: Sequence[int]
    now: dt.datetime


Checker = Callable[[CheckRequest], list[Alert]]


@dataclass
class DigestBatch:
    """What the section builders of one batch of guardians share, so that an area reads its
    data for every child of the batch at once (``once``) and each guardian's builder takes its
    own part: a fixed number of queries per batch, not per guardian."""

    now: dt.datetime
    #: Every child of the batch, with the scopes some guardian's link to them allows.
    scopes: Mapping[int, frozenset[str]]
    #: The earliest ``since`` of the batch's guardians.
    since: dt.datetime
    #: Only these classes of each child (a teacher's preview of a family's digest shows the
    #: teacher's own classes); ``None``: every class.
    classes: Mapping[int, frozenset[int]] | None = None
    #: The batch's children whose guardians read each language (keyed by
    #: ``translation.languages.key``): what a section translates into a language is only what
    #: those children's parts show. ``None``: not known (every child, for any language).
    readers: Mapping[str, frozenset[int]] | None = None
    _shared: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def student_ids(self, *scopes: Scope) -> list[int]:
        """The batch's children some link allows all of ``scopes`` of."""
        wanted = {str(scope) for scope in scopes}
        return sorted(pk for pk, allowed in self.scopes.items() if wanted <= allowed)

    def read_in(self, language_key: str) -> frozenset[int] | None:
        """The children whose parts some guardian of the batch reads in ``language_key``
        (``None``: every child may be)."""
        if self.readers is None:
            return None
        return self.readers.get(language_key, frozenset())

    def once(self, key: str, read: Callable[[], T]) -> T:
        """``read()``, called by the first builder that asks for ``key`` in this batch; the
        builders after it get the same value. Keys start with the app's name."""
        if key not in self._shared:
            self._shared[key] = read()
        return cast(T, self._shared[key])


@dataclass(frozen=True, slots=True)
class DigestRequest:
    """What a digest section builder is given: the guardian, the children whose links allow the
    area's scope, and the period the email covers (``since`` to ``until``, which is now). It is
    called in the guardian's language and time zone. ``batch``: what the builders of the
    guardians composed together share."""

    user: User
    children: list[Child]
    since: dt.datetime
    until: dt.datetime
    batch: DigestBatch | None = None

    def shared(self) -> DigestBatch:
        """The batch this request belongs to (a batch of its own when composed alone)."""
        if self.batch is not None:
            return self.batch
        # The children were chosen for the section's scope already; grades as each link says.
        every = frozenset(str(scope) for scope in Scope)
        without_grades = every - {str(Scope.GRADES)}
        scopes = {child.id: every if child.grades else without_grades for child in self.children}
        return DigestBatch(now=self.until, scopes=scopes, since=self.since)


@dataclass(frozen=True)
class DigestSection:
    """An area's section of a guardian's weekly email: an HTML template and a plain-text one,
    rendered with ``context`` in the guardian's language, or the ``html`` and ``text`` the
    builder wrote already (from pieces rendered once per batch: see ``village.core.slots``).
    A builder returns ``None`` when the area has nothing to say this week."""

    html_template: str = ""
    text_template: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    #: Is there something new in it (an email with nothing new is not sent)?
    news: bool = True
    html: str | None = None
    text: str | None = None
    #: The subjects (``Notification.subject``) of what the section lists: a notification about
    #: one of them that waited for the digest is not listed a second time among the alerts.
    covers: frozenset[str] = frozenset()


DigestBuilder = Callable[[DigestRequest], DigestSection | None]
Sweep = Callable[[dt.datetime], int]

_kinds: dict[str, AlertKind] = {}
_checkers: dict[str, Checker] = {}
_digest: dict[str, tuple[int, Scope, DigestBuilder]] = {}
_sweeps: dict[str, Sweep] = {}


def register_kind(kind: AlertKind) -> None:
    _kinds[kind.name] = kind


def register_checker(source: str, checker: Checker) -> None:
    """Run ``checker`` for the students whose ``source`` data changed, after the hold."""
    _checkers[source] = checker


def register_digest_section(
    scope: Scope, name: str, builder: DigestBuilder, *, order: int = 100
) -> None:
    """Add ``builder``'s section to the weekly family email, for children whose link allows
    ``scope``, in ``order``."""
    _digest[name] = (order, scope, builder)


def register_sweep(name: str, sweep: Sweep) -> None:
    _sweeps[name] = sweep


def unregister_kind(name: str) -> None:
    """Remove an alert kind only (a checker or sweep of the same name stays)."""
    _kinds.pop(name, None)


def unregister(name: str) -> None:
    for registry in (_kinds, _checkers, _digest, _sweeps):
        registry.pop(name, None)


def kind(name: str) -> AlertKind | None:
    return _kinds.get(name)


def kinds(audience: Audience | None = None) -> list[AlertKind]:
    found = [k for k in _kinds.values() if audience is None or k.audience == audience]
    return sorted(found, key=lambda k: (k.order, k.name))


def checkers() -> dict[str, Checker]:
    return dict(_checkers)


def digest_sections() -> list[tuple[Scope, DigestBuilder]]:
    entries = sorted((order, name) for name, (order, _s, _b) in _digest.items())
    return [(_digest[name][1], _digest[name][2]) for _order, name in entries]


def sweeps() -> dict[str, Sweep]:
    return dict(_sweeps)
