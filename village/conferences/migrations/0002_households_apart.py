"""Rounds that keep households apart: ``ConferenceRound.households_apart`` and
``Booking.household``. Every booking made so far is the child's home's (household 0), so the new
constraint (one booking per child, teacher, round and household) holds for the existing rows
as the old one (per child, teacher and round) did; it is added before the old one goes, so the
rule is held throughout."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("conferences", "0001_c_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="household",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="conferenceround",
            name="households_apart",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "A guardian who does not live with the child books their own conference "
                    "with each teacher, and each household sees only its own."
                ),
                verbose_name="guardians living apart book their own",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "booked")),
                fields=("round", "teacher", "child", "household"),
                name="conference_booking_one_per_household_teacher",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="booking",
            name="conference_booking_one_per_child_teacher",
        ),
    ]
