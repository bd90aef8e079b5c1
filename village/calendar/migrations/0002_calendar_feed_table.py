# The feeds' table takes the calendar app's name: ALTER TABLE ... RENAME, rows, keys and
# constraints kept (SQLite and PostgreSQL). The two partial unique constraints have names of their
# own; the indexes, the foreign keys to the users and (PostgreSQL) the id sequence keep names
# starting "families_calendarfeed", which nothing relies on: Django finds them by column.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("calendar", "0001_calendar_feed"),
        ("families", "0004_calendar_feed_moved"),
    ]

    operations = [
        migrations.AlterModelTable(name="calendarfeed", table=None),
    ]
