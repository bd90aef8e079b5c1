"""What the community endpoints answer with: typed, documented shapes, never model dumps.

Schemas only shape data that ``village.community.api_queries`` has already loaded and filtered;
they decide nothing about access.
"""

from django.db.models import QuerySet
from ninja import Field, Schema

from village.accounts.api import ProfileOut
from village.accounts.models import User
from village.community import api_queries
from village.community.models import (
    ClassKind,
    GuardianLink,
    LinkStatus,
    Organisation,
    OrgKind,
    OrgRole,
    Relationship,
    Role,
    RosterVisibility,
    SchoolClass,
    Scope,
)


class OrganisationRef(Schema):
    id: int
    name: str
    kind: OrgKind


class PersonRef(Schema):
    id: int
    name: str = Field(description="The name the person goes by (preferred name and last name).")

    @staticmethod
    def resolve_name(obj: User) -> str:
        return obj.display_name


class CourseRef(Schema):
    id: int
    title: str
    code: str


class ClassBrief(Schema):
    """A class as it appears inside another record: title and teachers."""

    id: int
    title: str
    teachers: list[PersonRef]

    @staticmethod
    def resolve_teachers(obj: SchoolClass) -> list[User]:
        return api_queries.teachers_of(obj)


class ClassOut(ClassBrief):
    code: str
    kind: ClassKind
    location: str = Field(description="Room or place the class meets.")
    periods: str
    grades: str
    subjects: str
    roster_visibility: RosterVisibility = Field(
        description="How much of the class list the students of the class see."
    )
    course: CourseRef
    school: OrganisationRef


class RoleOut(Schema):
    role: Role
    organisation: OrganisationRef


class MeOut(ProfileOut):
    roles: list[RoleOut] = Field(description="The caller's current roles, by organisation.")

    @staticmethod
    def resolve_roles(obj: User) -> QuerySet[OrgRole]:
        return api_queries.current_roles(obj)


class ChildOut(Schema):
    """One child of the calling guardian, with what this guardian may see of them."""

    id: int
    name: str
    first_name: str
    last_name: str
    grade: str
    school: OrganisationRef | None
    relationship: Relationship
    scopes: list[Scope] = Field(description="The areas of this child this guardian may see.")
    classes: list[ClassBrief] = Field(description="The child's current classes.")

    @staticmethod
    def resolve_id(obj: GuardianLink) -> int:
        return obj.student_id

    @staticmethod
    def resolve_name(obj: GuardianLink) -> str:
        return obj.student.display_name

    @staticmethod
    def resolve_first_name(obj: GuardianLink) -> str:
        return obj.student.first_name

    @staticmethod
    def resolve_last_name(obj: GuardianLink) -> str:
        return obj.student.last_name

    @staticmethod
    def resolve_grade(obj: GuardianLink) -> str:
        return obj.student.grade

    @staticmethod
    def resolve_school(obj: GuardianLink) -> Organisation | None:
        return api_queries.school_of_child(obj)

    @staticmethod
    def resolve_classes(obj: GuardianLink) -> list[SchoolClass]:
        return api_queries.classes_of_child(obj)


class RosterEntryOut(Schema):
    id: int | None = Field(description="The student's id; shown to staff of the class only.")
    name: str = Field(description="Full name for staff; for classmates as the class allows.")

    @staticmethod
    def resolve_id(obj: User) -> int | None:
        roster_id: int | None = getattr(obj, "roster_id", None)
        return roster_id

    @staticmethod
    def resolve_name(obj: User) -> str:
        roster_name: str = getattr(obj, "roster_name", "")
        return roster_name


class OwnGuardianLinkOut(Schema):
    """The calling guardian's own link to a student."""

    relationship: Relationship
    scopes: list[Scope] = Field(description="The areas of this student the caller may see.")


class GuardianLinkOut(Schema):
    """A guardian link as school staff see it, including access limits and their reason."""

    id: int
    guardian: PersonRef
    relationship: Relationship
    status: LinkStatus
    scopes: list[Scope]
    no_access: bool = Field(description="True when the guardian may see nothing of the student.")
    access_note: str
    lives_with: bool
    emergency_contact: bool
    receives_communications: bool


class StudentOut(Schema):
    id: int
    name: str
    first_name: str
    last_name: str
    preferred_name: str
    pronouns: str
    grade: str
    school: OrganisationRef | None
    classes: list[ClassBrief] = Field(description="Current classes the caller may see.")
    guardians: list[GuardianLinkOut] = Field(
        description="The student's guardians; listed for school staff only."
    )
    my_link: OwnGuardianLinkOut | None = Field(
        description="The caller's own guardian link to this student, if they have one."
    )

    @classmethod
    def build(cls, detail: api_queries.StudentDetail) -> "StudentOut":
        student = detail.student
        return cls.model_validate(
            {
                "id": student.pk,
                "name": student.display_name,
                "first_name": student.first_name,
                "last_name": student.last_name,
                "preferred_name": student.preferred_name,
                "pronouns": student.pronouns,
                "grade": student.grade,
                "school": detail.school,
                "classes": detail.classes,
                "guardians": detail.guardian_links,
                "my_link": detail.own_link,
            }
        )
