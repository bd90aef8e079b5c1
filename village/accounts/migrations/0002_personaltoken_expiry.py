"""Every personal token expires: tokens made before expiry existed get 90 days from now."""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone


def give_open_tokens_an_expiry(apps, schema_editor):
    PersonalToken = apps.get_model("accounts", "PersonalToken")
    PersonalToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + dt.timedelta(days=90)
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(give_open_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="personaltoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
