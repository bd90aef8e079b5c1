"""The conferences' forms: a round, a stretch of slots, a booking, a move, a cancellation. They
read and check what was typed; the services apply the rules, and their refusals are shown on the
field they name (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from village.accounts.languages import LANGUAGES
from village.accounts.models import User
from village.community.models import Organisation, SchoolClass
from village.conferences.models import ConferenceRound, Mode, Slot
from village.conferences.services.bookings import NOTE_LENGTH
from village.conferences.services.rounds import MAX_CUTOFF_HOURS, RoundSpec
from village.conferences.services.slots import MAX_GAP, MAX_MINUTES, MIN_MINUTES, SlotRange
from village.core.forms import ServiceErrors
from village.core.text import single_line

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
#: Lengths offered for a conference, in minutes.
LENGTHS = [10, 15, 20, 30, 45, 60]
assert min(LENGTHS) >= MIN_MINUTES
assert max(LENGTHS) <= MAX_MINUTES


def _datetime(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class RoundForm(ServiceErrors, forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none())
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        validators=[single_line],
        help_text=_("For example “Fall conferences”."),
    )
    opens_at = _datetime(_("Booking opens"))
    closes_at = _datetime(_("Booking closes"))
    cutoff_hours = forms.IntegerField(
        label=_("Families may change or cancel until (hours before)"),
        min_value=0,
        max_value=MAX_CUTOFF_HOURS,
        initial=24,
    )
    published = forms.BooleanField(
        label=_("Families see it"),
        required=False,
        help_text=_("Leave it off while teachers add their times."),
    )
    households_apart = forms.BooleanField(
        label=_("Guardians living apart book their own"),
        required=False,
        help_text=_(
            "A guardian who does not live with the child books their own conference with each "
            "teacher, and each household sees only its own."
        ),
    )

    def __init__(
        self, *args: Any, schools: QuerySet[Organisation], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = schools
        if editing:
            del self.fields["school"]
        elif schools.count() == 1:
            field.initial = schools.first()
            field.widget = forms.HiddenInput()

    def spec(self) -> RoundSpec:
        data = self.cleaned_data
        return RoundSpec(
            title=data["title"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            cutoff_hours=data["cutoff_hours"],
            published=data["published"],
            households_apart=data["households_apart"],
        )


def round_initial(conference_round: ConferenceRound) -> dict[str, Any]:
    return {
        "title": conference_round.title,
        "opens_at": conference_round.opens_at,
        "closes_at": conference_round.closes_at,
        "cutoff_hours": conference_round.cutoff_hours,
        "published": conference_round.published,
        "households_apart": conference_round.households_apart,
    }


class SlotRangeForm(ServiceErrors, forms.Form):
    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    minutes = forms.TypedChoiceField(
        label=_("Each conference lasts"),
        coerce=int,
        choices=[(n, _("%(n)s minutes") % {"n": n}) for n in LENGTHS],
        initial=15,
    )
    gap = forms.IntegerField(
        label=_("Minutes between conferences"), min_value=0, max_value=MAX_GAP, initial=5
    )
    mode = forms.ChoiceField(
        label=_("How"), choices=Mode.choices, initial=Mode.IN_PERSON, widget=forms.RadioSelect
    )
    place = forms.CharField(
        label=_("Where"),
        max_length=300,
        required=False,
        help_text=_("A room, the number families call, or the video link (https://…)."),
    )
    school_class = forms.ModelChoiceField(
        label=_("Only for the families of"),
        queryset=SchoolClass.objects.none(),
        required=False,
        empty_label=_("Any of my classes"),
    )

    def __init__(self, *args: Any, classes: QuerySet[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school_class"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = classes

    def spec(self) -> SlotRange:
        data = self.cleaned_data
        return SlotRange(
            day=data["day"],
            start=data["start"],
            end=data["end"],
            minutes=data["minutes"],
            gap=data["gap"],
            mode=data["mode"],
            place=data["place"],
            school_class=data["school_class"],
        )


class SlotChoiceField(forms.ModelChoiceField):
    """A radio list of slots; each labelled by the template, which shows more than a label."""

    def label_from_instance(self, obj: Slot) -> str:
        return str(obj.pk)


def interpreter_choices() -> list[tuple[str, str]]:
    """ "No interpreter", then every language Village knows but English."""
    languages = [(lang.code, lang.label) for lang in LANGUAGES if lang.code != "en"]
    return [("", str(_("No interpreter needed"))), *languages]


class BookForm(ServiceErrors, forms.Form):
    slot = SlotChoiceField(
        label=_("Time"), queryset=Slot.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    interpreter_language = forms.ChoiceField(label=_("Interpreter"), required=False)
    note = forms.CharField(
        label=_("Anything the teacher should know (optional)"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, slots: QuerySet[Slot], **kwargs: Any) -> None:
        """``slots``: the times the family may book with this teacher, free or not (a time
        taken meanwhile is refused by the service, with its own words)."""
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = slots
        language = self.fields["interpreter_language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = interpreter_choices()


class MoveForm(ServiceErrors, forms.Form):
    slot = SlotChoiceField(
        label=_("New time"),
        queryset=Slot.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args: Any, slots: QuerySet[Slot], **kwargs: Any) -> None:
        """``slots``: as :class:`BookForm`'s."""
        super().__init__(*args, **kwargs)
        field = self.fields["slot"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = slots


class CancelForm(ServiceErrors, forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PlaceForm(ServiceErrors, forms.Form):
    """Where a time takes place now: a room, a number to call, or a video link."""

    mode = forms.ChoiceField(label=_("How"), choices=Mode.choices, widget=forms.RadioSelect)
    place = forms.CharField(
        label=_("Where"),
        max_length=300,
        required=False,
        help_text=_("A room, the number families call, or the video link (https://…)."),
    )


class TeacherChoiceForm(forms.Form):
    """Whose slots an admin looks at."""

    teacher = forms.ModelChoiceField(label=_("Teacher"), queryset=User.objects.none())

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["teacher"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = teachers
