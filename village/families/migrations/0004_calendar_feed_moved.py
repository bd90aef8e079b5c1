# The calendar feeds moved to the calendar app (calendar.0001_calendar_feed took over the model,
# table and rows): families forgets the model without touching the table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("families", "0003_versions_by_area"),
        ("calendar", "0001_calendar_feed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CalendarFeed")],
            database_operations=[],
        ),
    ]
