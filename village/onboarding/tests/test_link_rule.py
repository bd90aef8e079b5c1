"""One rule for every route to a new guardian link (a code the student, a teacher or an admin
made; an email invitation): the school decides per route whether the link waits for approval,
its default areas apply everywhere, and the child's guardians and the school's admins hear of
every new guardian."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from village.accounts.models import User
from village.community import policies as community_policies
from village.community import services as community_services
from village.community.models import GuardianLink, LinkSource, LinkStatus, Relationship, Scope
from village.demo.personas import Personas
from village.onboarding import selectors, services
from village.onboarding.models import LinkRoute, OnboardingSettings, PairingCode
from village.onboarding.services import InvitationData, SignupData
from village.onboarding.tests.conftest import PASSWORD, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("village.onboarding.tests.urls")]

SIGNUP = "/families/signup/"
BASE = "http://testserver"


def stranger_data(email: str = "stranger@elsewhere.test") -> SignupData:
    return SignupData(
        first_name="Stan", last_name="Ger", email=email, password=PASSWORD, language="en"
    )


def sees(user: User, scope: Scope | None = None) -> set[int]:
    community_policies.forget_roles(user)
    students = community_policies.visible_students(user, scope=scope)
    return set(students.values_list("pk", flat=True))


def set_school(p: Personas, school=None, *, approvals=None, scopes=None) -> None:
    services.onboarding_settings_update(
        school=school or p.school,
        approvals=approvals or {},
        default_scopes=scopes or list(Scope),
        changed_by=p.priya,
    )


def invitation_secret() -> str:
    match = re.search(r"/families/invitation/([^/\s]+)/", str(mail.outbox[-1].body))
    assert match
    return match.group(1)


def link_by_route(p: Personas, route: LinkRoute, student: User, capture) -> GuardianLink:
    """A stranger's new link to ``student`` by ``route``, made through the real services."""
    if route == LinkRoute.INVITATION:
        teacher = p.park if student == p.mina else p.rivera
        with capture(execute=True):
            services.guardian_invitation_send(
                student=student,
                invited_by=teacher,
                data=InvitationData(
                    email="stranger@elsewhere.test",
                    name="",
                    relationship=Relationship.GUARDIAN,
                    language="en",
                ),
                base_url="http://testserver",
            )
        _user, link = services.guardian_invitation_signup(
            secret=invitation_secret(), data=stranger_data()
        )
        return link
    maker = {
        LinkRoute.STUDENT_CODE: student,
        LinkRoute.TEACHER_CODE: p.park if student == p.mina else p.rivera,
        LinkRoute.ADMIN_CODE: p.priya if student == p.mina else p.nguyen,
    }[route]
    issued = services.pairing_code_create(student=student, created_by=maker)
    with capture(execute=True):
        made = services.guardian_signup(
            data=stranger_data(), raw_code=issued.secret, ip_address="10.0.0.1", base_url=BASE
        )
    assert made is not None
    uidb64, token = confirmation(made.guardian)
    services.guardian_signup_confirm(uidb64=uidb64, token=token, password=PASSWORD)
    made.guardian.refresh_from_db()
    return made


def confirmation(user: User) -> tuple[str, str]:
    """The parts of the confirmation link last emailed to ``user``."""
    body = next(str(m.body) for m in reversed(mail.outbox) if m.to == [user.email])
    match = re.search(r"/families/signup/confirm/([^/\s]+)/([^/\s]+)/", body)
    assert match
    return match.group(1), match.group(2)


class TestStudentMadeCodes:
    def test_stranger_signing_up_with_a_students_own_code_sees_no_grades_until_approved(
        self, client: Client, personas, django_capture_on_commit_callbacks
    ):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        form = {
            "first_name": "Stan",
            "last_name": "Ger",
            "email": "stranger@elsewhere.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "en",
            "code": issued.secret,
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(SIGNUP, form).status_code == 200
        stranger = User.objects.get(email="stranger@elsewhere.test")
        uidb64, token = confirmation(stranger)
        confirmed = client.post(
            f"/families/signup/confirm/{uidb64}/{token}/", {"password": PASSWORD}
        )
        assert confirmed.status_code == 302
        stranger.refresh_from_db()
        link = GuardianLink.objects.get(guardian=stranger)
        assert link.status == LinkStatus.PENDING
        assert sees(stranger, Scope.GRADES) == set()
        assert sees(stranger) == set()
        services.guardian_link_approve(link=link, approved_by=personas.nguyen)
        assert sees(stranger, Scope.GRADES) == {personas.ada.pk}

    def test_a_student_handing_out_codes_gives_nobody_access(self, personas):
        strangers = []
        for number in range(3):
            issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
            link = services.guardian_signup(
                data=stranger_data(f"stranger{number}@elsewhere.test"),
                raw_code=issued.secret,
                ip_address=f"10.0.1.{number}",
                base_url=BASE,
            )
            assert link is not None
            assert link.status == LinkStatus.PENDING
            strangers.append(link.guardian)
        for stranger in strangers:
            assert sees(stranger) == set()
        assert not selectors.approval_queue(personas.nguyen).exists()  # not confirmed yet
        for stranger in strangers:
            services.guardian_signup_confirm(
                uidb64=urlsafe_base64_encode(force_bytes(stranger.pk)),
                token=services.signup_confirmation_tokens.make_token(stranger),
                password=PASSWORD,
            )
            assert sees(stranger) == set()
        queue = set(selectors.approval_queue(personas.nguyen).values_list("guardian", flat=True))
        assert queue == {stranger.pk for stranger in strangers}

    def test_a_school_may_let_student_codes_work_at_once(self, personas, newcomer):
        set_school(personas, approvals={LinkRoute.STUDENT_CODE: False})
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        link = services.pairing_code_redeem(
            user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
        )
        assert link.status == LinkStatus.ACTIVE

    def test_a_code_made_by_a_teacher_or_admin_keeps_working_at_once_by_default(
        self, personas, newcomer
    ):
        for maker, student in ((personas.rivera, personas.maya), (personas.nguyen, personas.ada)):
            issued = services.pairing_code_create(student=student, created_by=maker)
            link = services.pairing_code_redeem(
                user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
            )
            assert link.status == LinkStatus.ACTIVE


class TestEveryRoute:
    @pytest.mark.parametrize("route", list(LinkRoute))
    def test_the_schools_approval_setting_for_the_route_decides(
        self, personas, django_capture_on_commit_callbacks, route
    ):
        set_school(personas, approvals={r: r == route for r in LinkRoute})
        link = link_by_route(personas, route, personas.maya, django_capture_on_commit_callbacks)
        assert link.status == LinkStatus.PENDING
        assert sees(link.guardian) == set()

    @pytest.mark.parametrize("route", list(LinkRoute))
    def test_no_other_route_setting_holds_a_link_back(
        self, personas, django_capture_on_commit_callbacks, route
    ):
        set_school(personas, approvals={r: r != route for r in LinkRoute})
        link = link_by_route(personas, route, personas.maya, django_capture_on_commit_callbacks)
        assert link.status == LinkStatus.ACTIVE
        assert sees(link.guardian) == {personas.maya.pk}

    def test_teacher_invitation_waits_when_the_school_approves_invitations(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        set_school(personas, approvals={LinkRoute.INVITATION: True})
        data = {"email": "grandma@elsewhere.test", "relationship": "grandparent", "language": "en"}
        with django_capture_on_commit_callbacks(execute=True):
            signed_in(client, personas.rivera).post(
                reverse("onboarding:invite", args=[personas.maya.pk]), data
            )
        client.logout()
        form = {
            "first_name": "Ana",
            "last_name": "Lopez",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "language": "en",
        }
        url = f"/families/invitation/{invitation_secret()}/"
        assert client.post(url, form).status_code == 302
        link = GuardianLink.objects.get(guardian__email="grandma@elsewhere.test")
        assert (link.status, link.source) == (LinkStatus.PENDING, LinkSource.INVITATION)
        assert sees(link.guardian, Scope.GRADES) == set()

    @pytest.mark.parametrize("route", list(LinkRoute))
    def test_the_schools_default_areas_apply(
        self, personas, django_capture_on_commit_callbacks, route
    ):
        set_school(
            personas,
            approvals=dict.fromkeys(LinkRoute, False),
            scopes=[Scope.CLASSWORK, Scope.MESSAGES],
        )
        link = link_by_route(personas, route, personas.maya, django_capture_on_commit_callbacks)
        link.refresh_from_db()
        assert set(link.scopes) == {Scope.CLASSWORK, Scope.MESSAGES}
        assert sees(link.guardian, Scope.GRADES) == set()
        assert sees(link.guardian, Scope.CLASSWORK) == {personas.maya.pk}

    def test_a_codes_route_is_who_made_it(self, personas):
        made = {
            maker: services.pairing_code_create(student=personas.ada, created_by=maker).code.route
            for maker in (personas.ada, personas.rivera, personas.nguyen, personas.priya)
        }
        assert list(made.values()) == [
            LinkRoute.STUDENT_CODE,
            LinkRoute.TEACHER_CODE,
            LinkRoute.ADMIN_CODE,
            LinkRoute.ADMIN_CODE,
        ]

    def test_class_sheet_codes_are_teacher_or_admin_codes(self, client, personas):
        url = reverse("onboarding:class_codes", args=[personas.homeroom5.pk])
        for user, route in ((personas.rivera, "teacher"), (personas.nguyen, "admin")):
            signed_in(client, user).post(url, {"students": "all", "output": "csv"})
            codes = PairingCode.objects.filter(created_by=user)
            assert set(codes.values_list("made_by", flat=True)) == {route}


class TestTwoSchools:
    def test_each_childs_school_decides_for_that_childs_link(self, personas, newcomer):
        set_school(personas, approvals={LinkRoute.TEACHER_CODE: True}, scopes=[Scope.CLASSWORK])
        set_school(
            personas,
            personas.sister_school,
            approvals={LinkRoute.TEACHER_CODE: False},
            scopes=[Scope.GRADES],
        )
        maya_code = services.pairing_code_create(student=personas.maya, created_by=personas.rivera)
        mina_code = services.pairing_code_create(student=personas.mina, created_by=personas.park)
        maya = services.pairing_code_redeem(
            user=newcomer, raw_code=maya_code.secret, ip_address="10.0.0.1"
        )
        mina = services.pairing_code_redeem(
            user=newcomer, raw_code=mina_code.secret, ip_address="10.0.0.1"
        )
        assert (maya.status, set(maya.scopes)) == (LinkStatus.PENDING, set())
        assert (mina.status, set(mina.scopes)) == (LinkStatus.ACTIVE, {Scope.GRADES})
        assert sees(newcomer) == {personas.mina.pk}
        assert sees(newcomer, Scope.CLASSWORK) == set()

    def test_olgas_link_at_oak_hill_is_untouched_by_riversides_rule(self, personas):
        issued = services.pairing_code_create(student=personas.maya, created_by=personas.maya)
        link = services.pairing_code_redeem(
            user=personas.olga, raw_code=issued.secret, ip_address="10.0.0.1"
        )
        assert link.status == LinkStatus.PENDING
        assert sees(personas.olga) == {personas.mina.pk}


class TestWhoIsTold:
    def recipients(self) -> set[str]:
        return {address for message in mail.outbox for address in message.to}

    def test_the_childs_guardians_and_the_schools_admins_only(
        self, personas, newcomer, django_capture_on_commit_callbacks
    ):
        jordan = GuardianLink.objects.get(guardian=personas.jordan, student=personas.leo)
        community_services.guardian_link_set_access(link=jordan, scopes=[], no_access=True)
        issued = services.pairing_code_create(student=personas.leo, created_by=personas.rivera)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.pairing_code_redeem(
                user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
            )
        assert self.recipients() == {personas.sam.email, personas.nguyen.email}
        for forbidden in (personas.jordan, personas.eve, newcomer, personas.rivera):
            assert forbidden.email not in self.recipients()

    def test_jordan_hears_when_his_link_gives_access(
        self, personas, newcomer, django_capture_on_commit_callbacks
    ):
        issued = services.pairing_code_create(student=personas.leo, created_by=personas.rivera)
        with django_capture_on_commit_callbacks(execute=True):
            services.pairing_code_redeem(
                user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
            )
        assert personas.jordan.email in self.recipients()

    def test_a_guardian_who_asked_for_no_communications_or_is_pending_is_not_told(
        self, personas, newcomer, django_capture_on_commit_callbacks
    ):
        GuardianLink.objects.filter(guardian=personas.sam, student=personas.leo).update(
            receives_communications=False
        )
        GuardianLink.objects.filter(guardian=personas.jordan, student=personas.leo).update(
            status=LinkStatus.PENDING
        )
        issued = services.pairing_code_create(student=personas.leo, created_by=personas.rivera)
        with django_capture_on_commit_callbacks(execute=True):
            services.pairing_code_redeem(
                user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
            )
        assert self.recipients() == {personas.nguyen.email}

    def test_the_email_asks_who_this_is_and_gives_the_schools_contact(
        self, personas, newcomer, django_capture_on_commit_callbacks
    ):
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        with django_capture_on_commit_callbacks(execute=True):
            services.pairing_code_redeem(
                user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
            )
        to_sam = next(m for m in mail.outbox if m.to == [personas.sam.email])
        # Sam reads Village in Spanish.
        assert "¿Quién es?" in str(to_sam.body)
        assert "+1 555 0100" in str(to_sam.body)
        assert "12 River Road" in str(to_sam.body)
        to_nguyen = next(m for m in mail.outbox if m.to == [personas.nguyen.email])
        assert "waits for approval" in to_nguyen.subject
        assert newcomer.email in str(to_nguyen.body)

    def test_every_route_tells_them(self, personas, django_capture_on_commit_callbacks):
        for route in LinkRoute:
            GuardianLink.objects.filter(guardian__email="stranger@elsewhere.test").delete()
            User.objects.filter(email="stranger@elsewhere.test").delete()
            mail.outbox.clear()
            with django_capture_on_commit_callbacks(execute=True):
                link_by_route(personas, route, personas.ada, django_capture_on_commit_callbacks)
            assert personas.sam.email in self.recipients(), route
            assert personas.nguyen.email in self.recipients(), route

    def test_the_email_waits_in_the_durable_queue_and_is_not_sent_in_the_request(
        self, settings, personas, newcomer, django_capture_on_commit_callbacks
    ):
        from mailer.models import Message

        settings.EMAIL_BACKEND = "mailer.backend.DbBackend"
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.rivera)
        with django_capture_on_commit_callbacks(execute=True):
            services.pairing_code_redeem(
                user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
            )
        assert not mail.outbox
        queued = {address for m in Message.objects.all() for address in m.email.to}
        assert queued == {personas.sam.email, personas.nguyen.email}


def test_defaults_are_documented_on_the_model(db) -> None:
    defaults = OnboardingSettings()
    assert defaults.needs_approval(LinkRoute.STUDENT_CODE)
    for route in (LinkRoute.TEACHER_CODE, LinkRoute.ADMIN_CODE, LinkRoute.INVITATION):
        assert not defaults.needs_approval(route)


class TestApprovalQueueWaitsForConfirmedAddresses:
    """A link made by a family sign-up reaches the school's approval queue only once its
    guardian has confirmed the address: until then the account may be anyone's."""

    def unconfirmed(self, p: Personas, email: str, capture) -> GuardianLink:
        issued = services.pairing_code_create(student=p.ada, created_by=p.ada)
        with capture(execute=True):
            made = services.guardian_signup(
                data=stranger_data(email), raw_code=issued.secret, ip_address=None, base_url=BASE
            )
        assert made is not None
        assert made.status == LinkStatus.PENDING
        return made

    def queue(self, client: Client) -> str:
        response = client.get(reverse("onboarding:approvals"))
        assert response.status_code == 200
        return response.content.decode()

    def test_an_unconfirmed_signups_link_appears_only_once_confirmed(
        self, client, personas, django_capture_on_commit_callbacks
    ):
        link = self.unconfirmed(personas, "stan@elsewhere.test", django_capture_on_commit_callbacks)
        signed_in(client, personas.nguyen)
        assert "stan@elsewhere.test" not in self.queue(client)
        assert not selectors.approval_queue(personas.nguyen).exists()
        approve = reverse("onboarding:approval_approve", args=[link.pk])
        assert client.post(approve).status_code == 404
        link.refresh_from_db()
        assert link.status == LinkStatus.PENDING
        uidb64, token = confirmation(link.guardian)
        services.guardian_signup_confirm(uidb64=uidb64, token=token, password=PASSWORD)
        assert "stan@elsewhere.test" in self.queue(client)
        assert list(selectors.approval_queue(personas.nguyen)) == [link]
        assert client.post(approve).status_code == 302
        link.refresh_from_db()
        assert link.status == LinkStatus.ACTIVE

    def test_links_of_other_guardians_stay_in_the_queue(self, personas, newcomer):
        community_services.guardian_link(
            guardian=newcomer, student=personas.ada, status=LinkStatus.PENDING
        )
        queued = selectors.approval_queue(personas.nguyen)
        assert [link.guardian for link in queued] == [newcomer]

    def test_queue_query_count_is_constant(
        self, client, personas, django_capture_on_commit_callbacks, django_assert_num_queries
    ):
        capture = django_capture_on_commit_callbacks
        first = self.unconfirmed(personas, "one@elsewhere.test", capture)
        uidb64, token = confirmation(first.guardian)
        services.guardian_signup_confirm(uidb64=uidb64, token=token, password=PASSWORD)
        signed_in(client, personas.nguyen)
        with CaptureQueriesContext(connection) as baseline:
            self.queue(client)
        for number in range(4):
            made = self.unconfirmed(personas, f"more{number}@elsewhere.test", capture)
            if number % 2:
                uidb64, token = confirmation(made.guardian)
                services.guardian_signup_confirm(uidb64=uidb64, token=token, password=PASSWORD)
        with django_assert_num_queries(len(baseline.captured_queries)):
            html = self.queue(client)
        assert html.count("@elsewhere.test</span>") == 3


class TestTransferredStudent:
    """A student who moved school: only the school they attend today decides on new links and
    hears of them; the former school's settings and admins have no say any more."""

    def transfer(self, p: Personas, how: str) -> None:
        import datetime as dt

        from village.community.models import OrgRole, Role
        from village.core.models import RosterStatus

        former = OrgRole.objects.filter(user=p.ada, organisation=p.school, role=Role.STUDENT)
        if how == "inactive":
            former.update(status=RosterStatus.INACTIVE)
        else:
            former.update(end_date=community_policies.today() - dt.timedelta(days=1))
        OrgRole.objects.create(
            user=p.ada, organisation=p.sister_school, role=Role.STUDENT, is_primary=True
        )
        community_policies.forget_roles(p.ada)

    @pytest.mark.parametrize("how", ["inactive", "ended"])
    def test_the_new_school_decides_and_is_told(
        self, personas, newcomer, django_capture_on_commit_callbacks, how
    ):
        from village.community.models import OrgRole, Role

        oak_admin = User.objects.create_user("oakadmin", email="admin@oakhill.test")
        OrgRole.objects.create(
            user=oak_admin, organisation=personas.sister_school, role=Role.SCHOOL_ADMIN
        )
        # Riverside lets student codes work at once; Oak Hill keeps Village's default (wait).
        set_school(personas, approvals={LinkRoute.STUDENT_CODE: False}, scopes=[Scope.GRADES])
        self.transfer(personas, how)
        assert services.student_school(personas.ada) == personas.sister_school
        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        with django_capture_on_commit_callbacks(execute=True):
            link = services.pairing_code_redeem(
                user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
            )
        assert link.status == LinkStatus.PENDING
        assert sees(newcomer) == set()
        recipients = {address for message in mail.outbox for address in message.to}
        assert oak_admin.email in recipients
        assert personas.nguyen.email not in recipients

    def test_a_student_at_no_school_gets_no_new_link(self, client, personas, newcomer):
        from village.community.models import OrgRole, Role
        from village.core.models import RosterStatus

        issued = services.pairing_code_create(student=personas.ada, created_by=personas.ada)
        OrgRole.objects.filter(user=personas.ada, role=Role.STUDENT).update(
            status=RosterStatus.INACTIVE
        )
        with pytest.raises(services.NoSchoolError):
            services.pairing_code_redeem(
                user=newcomer, raw_code=issued.secret, ip_address="10.0.0.1"
            )
        response = signed_in(client, newcomer).post(
            reverse("onboarding:redeem"), {"code": issued.secret}
        )
        assert response.status_code == 200
        assert "not at a school in Village" in response.content.decode()
        assert not GuardianLink.objects.filter(guardian=newcomer).exists()
        assert PairingCode.objects.get(pk=issued.code.pk).redeemed_at is None
