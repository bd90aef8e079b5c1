"""The Django admin for the community model: for district IT, not for everyday school work."""

from __future__ import annotations

from django.contrib import admin

from village.community.models import (
    AcademicSession,
    Course,
    Enrollment,
    GuardianLink,
    Organisation,
    OrgRole,
    SchoolClass,
)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "parent", "identifier", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "identifier", "sourced_id"]
    raw_id_fields = ["parent"]


@admin.register(AcademicSession)
class AcademicSessionAdmin(admin.ModelAdmin[AcademicSession]):
    list_display = ["title", "kind", "organisation", "start_date", "end_date", "status"]
    list_filter = ["kind", "status", "school_year"]
    search_fields = ["title", "sourced_id"]
    raw_id_fields = ["organisation", "parent"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    list_display = ["title", "code", "organisation", "grades", "status"]
    list_filter = ["status"]
    search_fields = ["title", "code", "sourced_id"]
    raw_id_fields = ["organisation", "school_year"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin[SchoolClass]):
    list_display = ["title", "code", "school", "kind", "location", "roster_visibility", "status"]
    list_filter = ["kind", "roster_visibility", "status"]
    search_fields = ["title", "code", "sourced_id"]
    raw_id_fields = ["course", "school"]
    filter_horizontal = ["terms"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin[Enrollment]):
    list_display = [
        "user",
        "school_class",
        "role",
        "is_primary",
        "begin_date",
        "end_date",
        "status",
    ]
    list_filter = ["role", "status"]
    search_fields = ["user__username", "user__last_name", "school_class__title", "sourced_id"]
    raw_id_fields = ["user", "school_class"]
    list_select_related = ["user", "school_class"]


@admin.register(OrgRole)
class OrgRoleAdmin(admin.ModelAdmin[OrgRole]):
    list_display = ["user", "organisation", "role", "is_primary", "status"]
    list_filter = ["role", "status"]
    search_fields = ["user__username", "user__last_name", "organisation__name", "sourced_id"]
    raw_id_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(GuardianLink)
class GuardianLinkAdmin(admin.ModelAdmin[GuardianLink]):
    list_display = ["guardian", "student", "relationship", "status", "no_access", "source"]
    list_filter = ["status", "relationship", "no_access", "source"]
    search_fields = [
        "guardian__username",
        "guardian__last_name",
        "student__username",
        "student__last_name",
    ]
    raw_id_fields = ["guardian", "student"]
    list_select_related = ["guardian", "student"]
