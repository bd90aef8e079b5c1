"""Rubrics owned by a class or a school, and rubric scores kept in assessments (schema, with
the old and new columns side by side; 0006 moves the data, 0007 drops the old columns)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("classwork", "0004_child_work_summary"),
        ("community", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="rubric",
            name="school",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rubrics",
                to="community.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="rubric",
            name="school_class",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rubrics",
                to="community.schoolclass",
            ),
        ),
        migrations.CreateModel(
            name="RubricAssessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[("teacher", "Teacher"), ("self", "Self-assessment")],
                        max_length=16,
                    ),
                ),
                (
                    "assessor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "rubric",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="assessments",
                        to="classwork.rubric",
                    ),
                ),
                (
                    "student",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rubric_assessments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["rubric_id", "student_id", "id"],
                "indexes": [
                    models.Index(fields=["student", "rubric"], name="rubricassessment_student")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["teacher", "self"])),
                        name="rubricassessment_kind",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="feedback",
            name="assessment",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="feedback",
                to="classwork.rubricassessment",
            ),
        ),
        migrations.AddField(
            model_name="rubricscore",
            name="assessment",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="scores",
                to="classwork.rubricassessment",
            ),
        ),
        migrations.RemoveConstraint(model_name="rubricscore", name="rubricscore_unique"),
        migrations.AlterField(
            model_name="rubricscore",
            name="feedback",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rubric_scores",
                to="classwork.feedback",
            ),
        ),
    ]
