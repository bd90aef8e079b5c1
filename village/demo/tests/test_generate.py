from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from django.db.models import Exists, OuterRef

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    Organisation,
    OrgRole,
    Role,
    SchoolClass,
)
from village.demo.community.synthetic import school_sizes
from village.rostering.validate import validate_bundle

GEN = {"sourced_id__startswith": "gen-"}


def generate(*args: str) -> str:
    """Generate a district; classwork has its own tests (test_generate_classwork)."""
    out = StringIO()
    extra = () if "--delete" in args else ("--no-classwork",)
    call_command("generate", *args, *extra, stdout=out)
    return out.getvalue()


def generated_usernames() -> list[str]:
    return list(
        User.objects.filter(**GEN).order_by("sourced_id").values_list("username", flat=True)
    )


def people(role: Role) -> int:
    return OrgRole.objects.filter(role=role, **GEN).values("user").distinct().count()


@pytest.mark.parametrize("students", [2000, 2600, 7777, 50000, 123456])
def test_schools_hold_between_500_and_800_students(students):
    sizes = school_sizes(students)
    assert sum(sizes) == students
    assert all(500 <= size <= 800 for size in sizes)


def test_a_small_district_is_a_single_school():
    assert school_sizes(600) == [600]


@pytest.mark.django_db
class TestGenerate:
    def test_small_district_has_the_expected_proportions(self):
        output = generate("--students", "600", "--seed", "7")
        students = people(Role.STUDENT)
        links = GuardianLink.objects.filter(guardian__sourced_id__startswith="gen-").count()
        assert students == 600
        assert 1.4 <= links / students <= 1.8
        assert 1.0 <= people(Role.GUARDIAN) / students <= 1.25  # siblings share guardians
        assert people(Role.TEACHER) == 30  # one for every 20 students
        assert SchoolClass.objects.filter(**GEN).count() == 120  # one for every 5 students
        student_enrolments = Enrollment.objects.filter(role=EnrollmentRole.STUDENT, **GEN)
        assert student_enrolments.count() == 8 * 600
        assert people(Role.DISTRICT_ADMIN) == 1
        assert (
            people(Role.SCHOOL_ADMIN) == Organisation.objects.filter(kind="school", **GEN).count()
        )
        assert "students" in output
        assert "rows/s" in output

    def test_generated_rows_keep_the_roster_invariants(self):
        generate("--students", "600")
        matching_role = OrgRole.objects.filter(
            user_id=OuterRef("user_id"),
            organisation_id=OuterRef("school_class__school_id"),
            role=OuterRef("role"),
        )
        assert not Enrollment.objects.filter(~Exists(matching_role)).exists()
        teachers = Enrollment.objects.filter(role=EnrollmentRole.TEACHER, is_primary=True)
        assert set(teachers.values_list("school_class_id", flat=True)) == set(
            SchoolClass.objects.values_list("pk", flat=True)
        )
        student_role = OrgRole.objects.filter(user_id=OuterRef("student_id"), role=Role.STUDENT)
        assert GuardianLink.objects.exists()
        assert not GuardianLink.objects.filter(~Exists(student_role)).exists()
        assert not User.objects.exclude(**GEN).exists()
        assert not OrgRole.objects.exclude(**GEN).exists()

    def test_the_same_seed_gives_the_same_usernames(self):
        generate("--students", "300", "--seed", "3")
        first = generated_usernames()
        generate("--students", "300", "--seed", "3", "--reset")
        assert generated_usernames() == first
        generate("--students", "300", "--seed", "4", "--reset")
        assert generated_usernames() != first

    def test_accounts_share_one_password_or_have_none(self):
        generate("--students", "50", "--password", "correct-horse-battery")
        hashes = set(User.objects.values_list("password", flat=True))
        assert len(hashes) == 1
        assert check_password("correct-horse-battery", hashes.pop())
        generate("--students", "50", "--reset")
        assert not any(user.has_usable_password() for user in User.objects.all())

    def test_a_second_district_is_refused_without_reset(self):
        generate("--students", "50")
        with pytest.raises(CommandError, match="--reset"):
            generate("--students", "50")

    def test_generated_district_lives_next_to_the_demo_and_leaves_alone(self, personas):
        before = User.objects.count()
        generate("--students", "100")
        generate("--delete")
        assert User.objects.count() == before
        assert not Organisation.objects.filter(**GEN).exists()
        assert User.objects.filter(username="rivera").exists()

    def test_oneroster_option_writes_a_bundle_that_validates_cleanly(self, tmp_path):
        output = generate("--students", "300", "--oneroster", str(tmp_path / "gen.zip"))
        validation = validate_bundle(tmp_path / "gen.zip")

        assert validation.report.ok, str(validation.report)
        assert validation.report.warnings == []
        assert validation.report.counts["users"] == User.objects.filter(**GEN).count()
        students = [u for u in validation.roster.users.values() if u.grades]
        assert len(students) == 300
        assert validation.report.counts["enrollments"] == Enrollment.objects.count()
        assert f"written to {tmp_path / 'gen.zip'}" in output
        assert re.search(rf"users\.csv +{User.objects.count()}\n", output)

    def test_oneroster_option_is_refused_with_delete(self, tmp_path):
        with pytest.raises(CommandError, match="--oneroster"):
            generate("--delete", "--oneroster", str(tmp_path / "gen"))
