"""Reads for the community pages: each function builds one page section in a constant number of
SQL queries, however many children, classes or students it shows.

Everything here starts from the access policy (``village.community.policies``): a selector never
widens what a user may see, it only loads it efficiently.
"""

from village.community.selectors.common import (
    ClassSummary,
    can_sign_in_q,
    class_rosters,
    classmate_name,
    family_reachable,
    reaches_family_q,
    student_school,
)
from village.community.selectors.home import (
    ChildCard,
    ClassRow,
    DistrictOverview,
    LinkedChild,
    RosterEntry,
    SchoolOverview,
    SchoolStats,
    StudentClass,
    TaughtClass,
    district_overviews,
    guardian_children,
    guardian_links,
    partner_organisations,
    school_overviews,
    student_classes,
    teacher_classes,
)
from village.community.selectors.pages import (
    AuditRow,
    ClassPage,
    StudentPage,
    audit_entries,
    audit_rows,
    class_page,
    people_of_schools,
    student_page,
)

__all__ = [
    "AuditRow",
    "ChildCard",
    "ClassPage",
    "ClassRow",
    "ClassSummary",
    "DistrictOverview",
    "LinkedChild",
    "RosterEntry",
    "SchoolOverview",
    "SchoolStats",
    "StudentClass",
    "StudentPage",
    "TaughtClass",
    "audit_entries",
    "audit_rows",
    "can_sign_in_q",
    "class_page",
    "class_rosters",
    "classmate_name",
    "district_overviews",
    "family_reachable",
    "guardian_children",
    "guardian_links",
    "partner_organisations",
    "people_of_schools",
    "reaches_family_q",
    "school_overviews",
    "student_classes",
    "student_page",
    "student_school",
    "teacher_classes",
]
