"""Every rubric has its school, and rubric scores belong to assessments only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("classwork", "0006_rubric_owners_assessments_data")]

    operations = [
        migrations.AlterField(
            model_name="rubric",
            name="school",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rubrics",
                to="community.organisation",
            ),
        ),
        migrations.RemoveField(model_name="rubricscore", name="feedback"),
        migrations.AlterField(
            model_name="rubricscore",
            name="assessment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scores",
                to="classwork.rubricassessment",
            ),
        ),
        migrations.AlterModelOptions(
            name="rubricscore", options={"ordering": ["assessment_id", "criterion_id"]}
        ),
        migrations.AddConstraint(
            model_name="rubricscore",
            constraint=models.UniqueConstraint(
                fields=("assessment", "criterion"), name="rubricscore_unique"
            ),
        ),
    ]
