"""The community pages: what each persona sees, what is audited, and what stays a 404."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from village.accounts.models import Invitation, User
from village.community import services
from village.community.models import (
    EnrollmentRole,
    GuardianLink,
    Relationship,
    Role,
    RosterVisibility,
    SchoolClass,
)
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import DEMO_PASSWORD as DEMO
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

HOME = reverse("community:home")


def signed_in(client: Client, user: User) -> Client:
    user.refresh_from_db(fields=["password"])  # the session hash must match the stored password
    client.force_login(user)
    return client


def page(client: Client, user: User, url: str, **params: str | int) -> str:
    response = signed_in(client, user).get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def student_url(student: User) -> str:
    return reverse("community:student_detail", args=[student.pk])


def class_url(school_class: SchoolClass) -> str:
    return reverse("community:class_detail", args=[school_class.pk])


class TestHome:
    def test_anonymous_visitor_is_sent_to_sign_in(self, client):
        response = client.get(HOME)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_guardian_sees_each_child_with_teacher_contact(self, client, personas):
        html = page(client, personas.sam, HOME)
        assert "Ada Okoye" in html
        assert "Leo Okoye" in html
        assert "Riverside K-8 School" in html
        assert 'href="mailto:rivera@staff.village.test"' in html
        assert 'href="tel:+15550142"' in html
        assert "Grade 8 Math" in html

    def test_restricted_guardian_sees_leo_with_a_limited_access_note_never_ada(
        self, client, personas
    ):
        html = page(client, personas.jordan, HOME)
        assert "Leo Okoye" in html
        assert "Ada" not in html
        assert "You can see: Classwork, Learning goals." in html

    def test_guardian_home_audits_every_child_shown_in_one_insert(self, client, personas):
        signed_in(client, personas.sam)
        with CaptureQueriesContext(connection) as captured:
            client.get(HOME)
        inserts = [q for q in captured.captured_queries if "INSERT" in q["sql"].upper()]
        audit_inserts = [q for q in inserts if AuditEvent._meta.db_table in q["sql"]]
        assert len(audit_inserts) == 1
        events = AuditEvent.objects.filter(actor=personas.sam, action=AuditAction.VIEW_STUDENT)
        assert {e.student_id for e in events} == {personas.ada.pk, personas.leo.pk}
        assert {e.organisation_id for e in events} == {personas.school.pk}

    def test_student_sees_classes_and_classmates_as_the_class_allows(self, client, personas):
        html = page(client, personas.ada, HOME)
        assert "Grade 5 Homeroom" in html
        assert "Elena Rivera" in html
        assert "Maya L." in html
        assert "Maya Lopez" not in html

    def test_student_sees_no_classmates_when_the_roster_is_hidden(self, client, personas):
        SchoolClass.objects.filter(pk=personas.homeroom5.pk).update(
            roster_visibility=RosterVisibility.HIDDEN
        )
        html = page(client, personas.ada, HOME)
        assert "Maya" not in html
        assert "keeps the class list private" in html

    def test_teacher_sees_rosters_with_guardians_and_access_badges(self, client, personas):
        blocked = services.person_create(
            username="blocked",
            first_name="Blake",
            last_name="Moss",
            role=Role.GUARDIAN,
            organisation=personas.school,
        )
        services.guardian_link(guardian=blocked, student=personas.maya, no_access=True)
        html = page(client, personas.rivera, HOME)
        assert "Grade 5 Homeroom" in html
        assert "Grade 8 Science" in html
        assert "Jordan Bell" in html
        assert "Limited access" in html
        assert "Blake Moss" in html
        assert "No access" in html
        assert "Receives communications" in html
        assert "Grade 8 Math" not in html

    def test_teacher_home_audits_each_roster_shown(self, client, personas):
        page(client, personas.rivera, HOME)
        events = AuditEvent.objects.filter(actor=personas.rivera, action=AuditAction.VIEW_ROSTER)
        assert {(e.object_type, e.object_id) for e in events} == {
            ("class", str(personas.homeroom5.pk)),
            ("class", str(personas.science8.pk)),
        }

    def test_school_admin_sees_classes_counts_and_students_without_guardian(self, client, personas):
        html = page(client, personas.nguyen, HOME)
        assert "Guardian coverage" in html
        assert "1 student whose family cannot be reached" in html
        assert student_url(personas.maya) in html
        assert "Grade 8 Math" in html
        assert "Mina" not in html

    def test_district_admin_sees_each_school_with_coverage(self, client, personas):
        html = page(client, personas.priya, HOME)
        assert "Oak Hill Elementary" in html
        assert "67&nbsp;%" in html
        assert "100&nbsp;%" in html
        assert "Lakeside Academy" not in html

    def test_partner_sees_their_organisation_and_no_personal_data(self, client, personas):
        html = page(client, personas.library, HOME)
        assert "Riverside Unified School District" in html
        assert "No personal data" in html
        assert "Okoye" not in html

    def test_outsider_sees_nothing_of_this_school(self, client, personas):
        html = page(client, personas.eve, HOME)
        assert "Finn Walsh" in html
        assert "Riverside" not in html
        assert "Okoye" not in html

    def test_person_with_two_roles_sees_both_sections(self, client, personas):
        services.guardian_link(guardian=personas.rivera, student=personas.maya)
        html = page(client, personas.rivera, HOME)
        assert "Your children" in html
        assert "Classes you teach" in html

    def test_account_without_roles_gets_a_plain_explanation(self, client, db):
        user = User.objects.create_user(username="nobody", password="long-password-1")
        html = page(client, user, HOME)
        assert "no current role" in html

    def test_navigation_offers_profile_and_admin_pages_to_admins(self, client, personas):
        html = page(client, personas.nguyen, HOME)
        for name in ("accounts:profile", "community:people"):
            assert f'href="{reverse(name)}"' in html
        assert f'href="{reverse("accounts:tokens")}"' not in html  # on the profile page instead
        assert f'href="{reverse("community:audit_log")}"' in html
        html = page(client, personas.sam, HOME)
        assert f'href="{reverse("community:people")}"' not in html

    def test_home_query_count_does_not_grow_with_the_school(
        self, client, personas, django_assert_num_queries
    ):
        signed_in(client, personas.rivera)
        with CaptureQueriesContext(connection) as baseline:
            client.get(HOME)
        for n in range(4):
            student = services.person_create(
                username=f"new{n}",
                first_name=f"New{n}",
                last_name="Kid",
                role=Role.STUDENT,
                organisation=personas.school,
                password="long-password-1",
            )
            services.enrollment_add(
                user=student, school_class=personas.homeroom5, role=EnrollmentRole.STUDENT
            )
            services.guardian_link(guardian=personas.sam, student=student)
        with django_assert_num_queries(len(baseline.captured_queries)):
            client.get(HOME)


class TestStudentPage:
    def test_guardian_sees_profile_classes_and_only_their_own_link(self, client, personas):
        html = page(client, personas.sam, student_url(personas.leo))
        assert "Leo Okoye" in html
        assert "Riverside K-8 School" in html
        assert "Grade 8 Science" in html
        assert "Sam Okoye" in html
        assert "Jordan Bell" not in html

    def test_restricted_guardian_sees_only_allowed_areas(self, client, personas):
        html = page(client, personas.jordan, student_url(personas.leo))
        assert "Classwork" in html
        assert "Learning goals" in html
        assert "Grades" not in html
        assert "Support plan" not in html
        assert "Custody arrangement" not in html

    def test_restricted_guardian_gets_404_for_the_sibling_and_no_audit(self, client, personas):
        response = signed_in(client, personas.jordan).get(student_url(personas.ada))
        assert response.status_code == 404
        assert not AuditEvent.objects.exists()

    def test_outsider_gets_404_and_no_audit(self, client, personas):
        response = signed_in(client, personas.eve).get(student_url(personas.ada))
        assert response.status_code == 404
        assert not AuditEvent.objects.exists()

    def test_viewing_a_student_is_audited(self, client, personas):
        page(client, personas.rivera, student_url(personas.leo))
        event = AuditEvent.objects.get()
        assert (event.actor, event.student, event.action) == (
            personas.rivera,
            personas.leo,
            AuditAction.VIEW_STUDENT,
        )

    def test_staff_see_every_guardian_with_badges_and_access_note(self, client, personas):
        html = page(client, personas.rivera, student_url(personas.leo))
        assert "Sam Okoye" in html
        assert "Jordan Bell" in html
        assert "Limited access" in html
        assert "Custody arrangement: classwork and goals only." in html
        assert "Emergency contact" in html

    def test_student_sees_their_own_page_without_an_audit_entry(self, client, personas):
        html = page(client, personas.ada, student_url(personas.ada))
        assert "Grade 5 Homeroom" in html
        assert not AuditEvent.objects.exists()


class TestClassPage:
    def test_teacher_sees_full_roster_and_one_roster_audit_entry(self, client, personas):
        html = page(client, personas.rivera, class_url(personas.homeroom5))
        assert "Maya Lopez" in html
        assert student_url(personas.ada) in html
        assert "Room 12" in html
        event = AuditEvent.objects.get()
        assert (event.action, event.object_type, event.object_id, event.student_id) == (
            AuditAction.VIEW_ROSTER,
            "class",
            str(personas.homeroom5.pk),
            None,
        )
        assert event.organisation_id == personas.school.pk

    def test_staff_reach_the_class_stream_from_the_class_page_and_others_do_not(
        self, client, personas
    ):
        stream = reverse("classwork:class_stream", args=[personas.homeroom5.pk])
        for staff in (personas.rivera, personas.nguyen):
            assert stream in page(client, staff, class_url(personas.homeroom5))
        for other in (personas.ada, personas.sam):
            assert stream not in page(client, other, class_url(personas.homeroom5))

    def test_student_sees_classmates_per_visibility_and_nothing_is_audited(self, client, personas):
        html = page(client, personas.ada, class_url(personas.homeroom5))
        assert "Maya L." in html
        assert "Maya Lopez" not in html
        assert student_url(personas.maya) not in html
        assert not AuditEvent.objects.exists()

    def test_student_sees_full_names_when_the_class_allows(self, client, personas):
        SchoolClass.objects.filter(pk=personas.homeroom5.pk).update(
            roster_visibility=RosterVisibility.FULL_NAMES
        )
        assert "Maya Lopez" in page(client, personas.ada, class_url(personas.homeroom5))

    def test_guardian_sees_the_class_but_not_its_roster(self, client, personas):
        html = page(client, personas.sam, class_url(personas.homeroom5))
        assert "Elena Rivera" in html
        assert "Maya" not in html
        assert not AuditEvent.objects.exists()

    def test_class_of_another_school_is_404(self, client, personas):
        response = signed_in(client, personas.eve).get(class_url(personas.homeroom5))
        assert response.status_code == 404

    def test_jordan_cannot_open_adas_class(self, client, personas):
        response = signed_in(client, personas.jordan).get(class_url(personas.homeroom5))
        assert response.status_code == 404


def _audit(p: Personas, actor: User, student: User, organisation_id: int, times: int = 1) -> None:
    audit_views(
        actor_id=actor.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[Viewed(student_id=student.pk, organisation_id=organisation_id)] * times,
    )


class TestAuditLog:
    url = reverse("community:audit_log")

    @pytest.mark.parametrize("name", ["rivera", "sam", "ada", "library", "eve"])
    def test_only_admins_may_open_it(self, client, personas, name):
        response = signed_in(client, getattr(personas, name)).get(self.url)
        assert response.status_code == 404

    def test_school_admin_sees_entries_of_their_school_only(self, client, personas):
        _audit(personas, personas.sam, personas.ada, personas.school.pk)
        _audit(personas, personas.olga, personas.mina, personas.sister_school.pk)
        _audit(personas, personas.eve, personas.finn, personas.other_school.pk)
        html = page(client, personas.nguyen, self.url)
        assert "Sam Okoye" in html
        assert "Olga Sato" not in html
        assert "Eve Walsh" not in html

    def test_district_admin_sees_every_school_of_the_district(self, client, personas):
        _audit(personas, personas.olga, personas.mina, personas.sister_school.pk)
        _audit(personas, personas.eve, personas.finn, personas.other_school.pk)
        html = page(client, personas.priya, self.url)
        assert "Olga Sato" in html
        assert "Eve Walsh" not in html

    def test_newest_entries_come_first(self, client, personas):
        _audit(personas, personas.sam, personas.ada, personas.school.pk)
        _audit(personas, personas.jordan, personas.leo, personas.school.pk)
        html = page(client, personas.nguyen, self.url)
        assert html.index("Jordan Bell") < html.index("Sam Okoye")

    def test_entries_come_fifty_to_a_page(self, client, personas):
        _audit(personas, personas.sam, personas.ada, personas.school.pk, times=55)
        first = page(client, personas.nguyen, self.url)
        second = page(client, personas.nguyen, self.url, page=2)
        assert first.count("<time ") == 50
        assert second.count("<time ") == 5
        assert "Page 2 of 2" in second

    def test_filter_by_student_shows_only_their_entries(self, client, personas):
        _audit(personas, personas.sam, personas.ada, personas.school.pk)
        _audit(personas, personas.jordan, personas.leo, personas.school.pk)
        html = page(client, personas.nguyen, self.url, student=personas.leo.pk)
        assert "Jordan Bell" in html
        assert "Sam Okoye" not in html

    def test_reading_a_students_history_is_itself_audited(self, client, personas):
        page(client, personas.nguyen, self.url, student=personas.leo.pk)
        event = AuditEvent.objects.get(action=AuditAction.VIEW_AUDIT)
        assert (event.actor, event.student) == (personas.nguyen, personas.leo)

    def test_htmx_filter_returns_only_the_table(self, client, personas):
        _audit(personas, personas.jordan, personas.leo, personas.school.pk)
        response = signed_in(client, personas.nguyen).get(
            self.url, {"student": personas.leo.pk}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert "<html" not in html
        assert "Jordan Bell" in html

    def test_htmx_history_restore_gets_the_whole_page(self, client, personas):
        response = signed_in(client, personas.nguyen).get(
            self.url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
        assert "<html" in response.content.decode()
        assert "HX-Request" in response["Vary"]

    def test_unknown_student_gives_a_message_naming_the_field(self, client, personas):
        html = page(client, personas.nguyen, self.url, student=personas.finn.pk)
        assert "Student: Select a valid choice" in html
        assert not AuditEvent.objects.filter(action=AuditAction.VIEW_AUDIT).exists()


class TestPeople:
    url = reverse("community:people")

    @pytest.mark.parametrize("name", ["rivera", "sam", "ada", "eve"])
    def test_only_admins_may_open_it(self, client, personas, name):
        response = signed_in(client, getattr(personas, name)).get(self.url)
        assert response.status_code == 404

    def test_lists_people_of_the_school_by_role(self, client, personas):
        html = page(client, personas.nguyen, self.url)
        assert "Elena Rivera" in html
        assert "Sam Okoye" in html
        assert "Mina Sato" not in html
        assert "Eve Walsh" not in html
        assert html.index("Ada Okoye") < html.index("Elena Rivera")  # students before teachers

    def test_search_narrows_the_list(self, client, personas):
        html = page(client, personas.nguyen, self.url, q="rivera")
        assert "Elena Rivera" in html
        assert "Sam Okoye" not in html

    def test_htmx_search_returns_only_the_table(self, client, personas):
        response = signed_in(client, personas.nguyen).get(
            self.url, {"q": "okoye", "role": "guardian"}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert "<html" not in html
        assert "Sam Okoye" in html
        assert "Leo Okoye" not in html


@pytest.fixture
def add_form(personas: Personas) -> dict[str, object]:
    return {
        "school": personas.school.pk,
        "role": Role.GUARDIAN,
        "first_name": "Rosa",
        "last_name": "Lopez",
        "preferred_name": "",
        "email": "rosa@example.test",
        "username": "",
        "grade": "",
        "preferred_language": "es",
        "student": personas.maya.pk,
        "relationship": Relationship.MOTHER,
    }


class TestPersonAdd:
    url = reverse("community:person_add")

    def test_form_is_for_admins_only(self, client, personas):
        assert page(client, personas.nguyen, self.url)
        response = signed_in(client, personas.rivera).get(self.url)
        assert response.status_code == 404

    def test_admin_creates_a_guardian_linked_to_a_student_and_invites_them(
        self, client, personas, add_form
    ):
        response = signed_in(client, personas.nguyen).post(self.url, add_form)
        assert response.status_code == 302
        assert response["Location"] == reverse("community:people")
        rosa = User.objects.get(email="rosa@example.test")
        assert rosa.username == "rosa@example.test"
        assert not rosa.has_usable_password()
        assert rosa.preferred_language == "es"
        link = GuardianLink.objects.get(guardian=rosa)
        assert (link.student, link.relationship) == (personas.maya, Relationship.MOTHER)
        invitation = Invitation.objects.get(user=rosa)
        assert invitation.created_by == personas.nguyen
        (message,) = get_messages(response.wsgi_request)
        assert "rosa@example.test" in str(message)

    def test_admin_creates_a_teacher_at_their_school(self, client, personas, add_form):
        add_form.update(role=Role.TEACHER, student="", email="ms.ito@example.test", username="ito")
        response = signed_in(client, personas.nguyen).post(self.url, add_form)
        assert response.status_code == 302
        teacher = User.objects.get(username="ito")
        assert list(teacher.org_roles.values_list("role", "organisation")) == [
            (Role.TEACHER, personas.school.pk)
        ]
        assert not GuardianLink.objects.filter(guardian=teacher).exists()

    def assert_rejected(self, client: Client, p: Personas, data: dict[str, object]) -> str:
        users_before = User.objects.count()
        response = signed_in(client, p.nguyen).post(self.url, data)
        assert response.status_code == 200
        assert User.objects.count() == users_before
        assert not GuardianLink.objects.filter(student=p.maya).exists()
        assert not Invitation.objects.exists()
        return response.content.decode()

    def test_missing_and_malformed_fields_are_named_and_nothing_is_created(
        self, client, personas, add_form
    ):
        add_form.update(last_name="", email="not-an-email")
        html = self.assert_rejected(client, personas, add_form)
        assert 'id="id_last_name_error"' in html
        assert 'id="id_email_error"' in html
        assert "Enter a valid email address." in html

    def test_email_of_someone_at_the_admins_school_is_refused(self, client, personas, add_form):
        add_form["email"] = "SAM@families.village.test"
        html = self.assert_rejected(client, personas, add_form)
        assert "Someone at your schools already has this email address." in html

    def test_email_used_outside_the_admins_schools_gets_the_answer_of_a_new_one(
        self, client, personas, add_form
    ):
        """Eve is at Lakeside; Nguyen runs Riverside and must not learn Eve has an account."""
        answers = []
        for email in (personas.eve.email.upper(), "someone.new@example.test"):
            response = signed_in(client, personas.nguyen).post(
                self.url, {**add_form, "email": email}
            )
            answers.append((response.status_code, response["Location"]))
        assert answers[0] == answers[1] == (302, reverse("community:people"))
        assert User.objects.filter(email__iexact=personas.eve.email).count() == 2
        personas.eve.refresh_from_db()
        assert not GuardianLink.objects.filter(guardian=personas.eve, student=personas.maya)

    def test_only_a_guardian_can_be_linked_to_a_student(self, client, personas, add_form):
        add_form["role"] = Role.TEACHER
        html = self.assert_rejected(client, personas, add_form)
        assert 'id="id_student_error"' in html
        assert "Only a guardian can be linked to a student." in html

    def test_school_the_admin_does_not_run_is_refused(self, client, personas, add_form):
        add_form.update(school=personas.sister_school.pk, student="")
        html = self.assert_rejected(client, personas, add_form)
        assert 'id="id_school_error"' in html

    def test_student_of_another_school_cannot_be_linked(self, client, personas, add_form):
        add_form.update(school=personas.sister_school.pk, student=personas.mina.pk)
        users_before = User.objects.count()
        response = signed_in(client, personas.priya).post(
            self.url, {**add_form, "school": personas.school.pk}
        )
        assert response.status_code == 200
        assert "Choose a student of the selected school." in response.content.decode()
        assert User.objects.count() == users_before

    def test_taken_username_is_refused(self, client, personas, add_form):
        add_form["username"] = "Rivera"
        html = self.assert_rejected(client, personas, add_form)
        assert "This username is taken" in html

    def test_username_taken_outside_the_admins_schools_gets_the_answer_of_a_free_one(
        self, client, personas, add_form
    ):
        """Stone is at Lakeside; Nguyen runs Riverside and must not learn the username exists."""
        answers = []
        for number, username in enumerate(("Stone", "fresh-name")):
            response = signed_in(client, personas.nguyen).post(
                self.url, {**add_form, "email": f"new{number}@example.test", "username": username}
            )
            answers.append((response.status_code, response["Location"]))
        assert answers[0] == answers[1] == (302, reverse("community:people"))
        added = User.objects.get(email="new0@example.test")
        assert added.username == "stone-2"
        assert User.objects.get(email="new1@example.test").username == "fresh-name"

    def test_someone_elses_email_never_becomes_the_new_username(self, client, personas, add_form):
        """The new account shares Stone's address; signing in with it still reaches Stone."""
        add_form.update(email=personas.stone.email, student="")
        response = signed_in(client, personas.nguyen).post(self.url, add_form)
        assert response.status_code == 302
        added = User.objects.exclude(pk=personas.stone.pk).get(email__iexact=personas.stone.email)
        assert added.username.lower() != personas.stone.email.lower()
        assert added.username == f"{personas.stone.email.lower()}-2"
        stranger = Client().post(
            "/accounts/login/", {"username": personas.stone.email, "password": "not-it"}
        )
        assert "more than one account" not in stranger.content.decode()
        assert "do not match an account" in stranger.content.decode()
        stone = Client()
        stone.post("/accounts/login/", {"username": personas.stone.email, "password": DEMO})
        assert stone.session["_auth_user_id"] == str(personas.stone.pk)

    def test_a_free_username_is_kept(self, client, personas, add_form):
        add_form["username"] = "Rosa-L"
        signed_in(client, personas.nguyen).post(self.url, add_form)
        assert User.objects.get(email="rosa@example.test").username == "rosa-l"


@pytest.mark.parametrize(
    "model",
    [
        "organisation",
        "academicsession",
        "course",
        "schoolclass",
        "enrollment",
        "orgrole",
        "guardianlink",
    ],
)
def test_admin_lists_community_records(client, personas, model):
    staff = User.objects.create_superuser("it", "it@example.test", "long-password-1")
    signed_in(client, staff)
    response = client.get(reverse(f"admin:community_{model}_changelist"))
    assert response.status_code == 200
