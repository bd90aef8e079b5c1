"""The OneRoster CSV files Village reads: their columns, value types and references.

Column lists follow "OneRoster CSV Tables v1.1.1" and the 1.2 CSV binding. One users schema serves
both versions: 1.2 exports sometimes still carry the 1.1 columns (``role``, ``orgSourcedIds``), so
every column is known and only the required set depends on the version.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class FileMode(enum.StrEnum):
    ABSENT = "absent"
    BULK = "bulk"
    DELTA = "delta"


class ValueType(enum.Enum):
    TEXT = "text"
    ID = "id"
    IDS = "ids"  # comma-separated sourcedIds
    LIST = "list"  # comma-separated values (grades, subjects, periods)
    DATE = "date"
    DATETIME = "datetime"
    BOOL = "bool"
    ENUM = "enum"
    YEAR = "year"
    NUMBER = "number"
    EMAIL = "email"  # one email address


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ValueType = ValueType.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str = ""  # the file (kind) a sourcedId in this column must be defined in


@dataclass(frozen=True)
class FileSchema:
    kind: str
    columns: tuple[Column, ...]
    aliases: dict[str, str] = field(default_factory=dict)
    required_in_1_1: frozenset[str] = frozenset()

    @property
    def filename(self) -> str:
        return f"{self.kind}.csv"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def required(self, version: str) -> frozenset[str]:
        names = {column.name for column in self.columns if column.required}
        if version == "1.1":
            names |= self.required_in_1_1
        return frozenset(names)


T = ValueType
STATUS_CHOICES = ("active", "tobedeleted")
USER_ROLES = (
    "administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher",
    "counselor", "districtAdministrator", "principal", "siteAdministrator", "systemAdministrator",
)  # fmt: skip
ENROLLMENT_ROLES = ("administrator", "aide", "proctor", "student", "teacher")
# Misspellings seen in real exports, safe to read as the intended column.
COMMON_ALIASES = {"dataLastModified": "dateLastModified", "sourcedID": "sourcedId"}


def _common() -> tuple[Column, ...]:
    return (
        Column("sourcedId", T.ID, required=True),
        Column("status", T.ENUM, choices=STATUS_CHOICES),
        Column("dateLastModified", T.DATETIME),
    )


def _schema(
    kind: str,
    *columns: Column,
    aliases: dict[str, str] | None = None,
    required_in_1_1: frozenset[str] = frozenset(),
) -> FileSchema:
    return FileSchema(
        kind, _common() + columns, {**COMMON_ALIASES, **(aliases or {})}, required_in_1_1
    )


ORGS = _schema(
    "orgs",
    Column("name", required=True),
    Column(
        "type",
        T.ENUM,
        required=True,
        choices=("department", "school", "district", "local", "state", "national"),
    ),
    Column("identifier"),
    Column("parentSourcedId", T.ID, ref="orgs"),
)
ACADEMIC_SESSIONS = _schema(
    "academicSessions",
    Column("title", required=True),
    Column(
        "type", T.ENUM, required=True, choices=("gradingPeriod", "semester", "schoolYear", "term")
    ),
    Column("startDate", T.DATE, required=True),
    Column("endDate", T.DATE, required=True),
    Column("parentSourcedId", T.ID, ref="academicSessions"),
    Column("schoolYear", T.YEAR, required=True),
)
COURSES = _schema(
    "courses",
    Column("schoolYearSourcedId", T.ID, ref="academicSessions"),
    Column("title", required=True),
    Column("courseCode"),
    Column("grades", T.LIST),
    Column("orgSourcedId", T.ID, required=True, ref="orgs"),
    Column("subjects", T.LIST),
    Column("subjectCodes", T.LIST),
    aliases={"schoolYearId": "schoolYearSourcedId", "grade": "grades"},
)
CLASSES = _schema(
    "classes",
    Column("title", required=True),
    Column("grades", T.LIST),
    Column("courseSourcedId", T.ID, required=True, ref="courses"),
    Column("classCode"),
    Column("classType", T.ENUM, required=True, choices=("homeroom", "scheduled")),
    Column("location"),
    Column("schoolSourcedId", T.ID, required=True, ref="orgs"),
    Column("termSourcedIds", T.IDS, required=True, ref="academicSessions"),
    Column("subjects", T.LIST),
    Column("subjectCodes", T.LIST),
    Column("periods", T.LIST),
    aliases={"grade": "grades"},
)
USERS = _schema(
    "users",
    Column("enabledUser", T.BOOL, required=True),
    Column("orgSourcedIds", T.IDS, ref="orgs"),
    Column("role", T.ENUM, choices=USER_ROLES),
    Column("username", required=True),
    Column("userIds"),
    Column("givenName", required=True),
    Column("familyName", required=True),
    Column("middleName"),
    Column("identifier"),
    Column("email", T.EMAIL),
    Column("sms"),
    Column("phone"),
    Column("agentSourcedIds", T.IDS, ref="users"),
    Column("grades", T.LIST),
    Column("password"),
    Column("userMasterIdentifier"),
    Column("preferredGivenName"),
    Column("preferredMiddleName"),
    Column("preferredFamilyName"),
    Column("primaryOrgSourcedId", T.ID, ref="orgs"),
    Column("pronouns"),
    aliases={
        "userId": "userIds",
        "agents": "agentSourcedIds",
        "grade": "grades",
        "prefferedGivenName": "preferredGivenName",
        "prefferedMiddleName": "preferredMiddleName",
        "prefferedFamilyName": "preferredFamilyName",
    },
    required_in_1_1=frozenset({"orgSourcedIds", "role"}),
)
ROLES = _schema(
    "roles",
    Column("userSourcedId", T.ID, required=True, ref="users"),
    Column("roleType", T.ENUM, required=True, choices=("primary", "secondary")),
    Column("role", T.ENUM, required=True, choices=USER_ROLES),
    Column("beginDate", T.DATE),
    Column("endDate", T.DATE),
    Column("orgSourcedId", T.ID, required=True, ref="orgs"),
    Column("userProfileSourcedId", T.ID),
)
ENROLLMENTS = _schema(
    "enrollments",
    Column("classSourcedId", T.ID, required=True, ref="classes"),
    Column("schoolSourcedId", T.ID, required=True, ref="orgs"),
    Column("userSourcedId", T.ID, required=True, ref="users"),
    Column("role", T.ENUM, required=True, choices=ENROLLMENT_ROLES),
    Column("primary", T.BOOL),
    Column("beginDate", T.DATE),
    Column("endDate", T.DATE),
)
CATEGORIES = _schema("categories", Column("title", required=True))
LINE_ITEMS = _schema(
    "lineItems",
    Column("title", required=True),
    Column("description"),
    Column("assignDate", T.DATETIME, required=True),
    Column("dueDate", T.DATETIME, required=True),
    Column("classSourcedId", T.ID, required=True, ref="classes"),
    Column("categorySourcedId", T.ID, required=True, ref="categories"),
    Column("gradingPeriodSourcedId", T.ID, required=True, ref="academicSessions"),
    Column("resultValueMin", T.NUMBER, required=True),
    Column("resultValueMax", T.NUMBER, required=True),
)
RESULTS = _schema(
    "results",
    Column("lineItemSourcedId", T.ID, required=True, ref="lineItems"),
    Column("studentSourcedId", T.ID, required=True, ref="users"),
    Column(
        "scoreStatus",
        T.ENUM,
        required=True,
        choices=("exempt", "fully graded", "not submitted", "partially graded", "submitted"),
    ),
    Column("score", T.NUMBER, required=True),
    Column("scoreDate", T.DATE, required=True),
    Column("comment"),
)

# In reading order: every file comes after the files its references point to (self-references
# such as orgs.parentSourcedId are checked when the file is done).
READ_ORDER: tuple[FileSchema, ...] = (
    ORGS, ACADEMIC_SESSIONS, COURSES, CLASSES, USERS, ROLES, ENROLLMENTS,
    CATEGORIES, LINE_ITEMS, RESULTS,
)  # fmt: skip
SCHEMAS = {schema.kind: schema for schema in READ_ORDER}
# Gradebook files are imported after the roster (``village.rostering.gradebook``).
GRADEBOOK_FILES = frozenset({"categories", "lineItems", "results"})
# Accepted and not read, with the reason given to the person importing.
IGNORED_FILES = {
    "demographics": "Village does not import demographic data",
    "userProfiles": "Village does not import credentials for other systems",
    "resources": "Village does not import resources",
    "classResources": "Village does not import resources",
    "courseResources": "Village does not import resources",
    "userResources": "Village does not import resources",
    "scoreScales": "Village keeps its own gradebook",
    "lineItemScoreScales": "Village keeps its own gradebook",
    "resultScoreScales": "Village keeps its own gradebook",
    "lineItemLearningObjectiveIds": "Village keeps its own gradebook",
    "resultLearningObjectiveIds": "Village keeps its own gradebook",
}
ONLY_IN_1_2 = frozenset({"roles", "userProfiles", "userResources", "scoreScales"})
