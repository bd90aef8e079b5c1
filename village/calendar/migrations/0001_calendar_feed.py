# The calendar feeds move here from ``village.families``, rows and all. This migration takes over
# the model's state while the table keeps its old name (no SQL runs);
# families.0004_calendar_feed_moved lets go of the model, and 0002 renames the table.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, old: str, new: str):
    """Permissions and admin history of the feeds follow the model to its new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    types = content_type.objects.using(schema_editor.connection.alias)
    if not types.filter(app_label=new, model="calendarfeed").exists():
        types.filter(app_label=old, model="calendarfeed").update(app_label=new)


def forwards(apps, schema_editor):
    move_content_type(apps, schema_editor, old="families", new="calendar")


def backwards(apps, schema_editor):
    move_content_type(apps, schema_editor, old="calendar", new="families")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("families", "0002_child_work_digest"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CalendarFeed',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('digest', models.CharField(max_length=64, unique=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('last_used_at', models.DateTimeField(blank=True, null=True)),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to=settings.AUTH_USER_MODEL)),
                        ('student', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'families_calendarfeed',
                        'ordering': ['owner_id', 'student_id', '-created_at'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True), ('student__isnull', False)), fields=('owner', 'student'), name='calendarfeed_one_active_per_child'), models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True), ('student__isnull', True)), fields=('owner',), name='calendarfeed_one_active_family_feed')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
