from django.contrib import admin

from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    ClassEvent,
    Feedback,
    GradingCategory,
    Rubric,
    RubricAssessment,
    RubricCriterion,
    RubricLevel,
    RubricScore,
    Submission,
    Topic,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    list_display = ["title", "school_class", "starts_on", "ends_on"]
    list_filter = ["school_class__school"]
    search_fields = ["title", "school_class__title"]
    raw_id_fields = ["school_class"]


@admin.register(GradingCategory)
class GradingCategoryAdmin(admin.ModelAdmin[GradingCategory]):
    list_display = ["name", "school_class", "weight"]
    search_fields = ["name", "school_class__title"]
    raw_id_fields = ["school_class"]


class RubricLevelInline(admin.TabularInline[RubricLevel, RubricCriterion]):
    model = RubricLevel
    extra = 0


@admin.register(RubricCriterion)
class RubricCriterionAdmin(admin.ModelAdmin[RubricCriterion]):
    list_display = ["title", "rubric", "position"]
    inlines = [RubricLevelInline]
    raw_id_fields = ["rubric"]


class RubricCriterionInline(admin.TabularInline[RubricCriterion, Rubric]):
    model = RubricCriterion
    extra = 0
    show_change_link = True


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin[Rubric]):
    list_display = ["title", "school", "school_class"]
    inlines = [RubricCriterionInline]
    raw_id_fields = ["school", "school_class"]


class MaterialInline(admin.TabularInline[AssignmentMaterial, Assignment]):
    model = AssignmentMaterial
    extra = 0


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin[Assignment]):
    list_display = ["title", "school_class", "assign_at", "due_at", "points", "status"]
    list_filter = ["status", "visible_to_families"]
    search_fields = ["title", "school_class__title", "sourced_id"]
    raw_id_fields = ["school_class", "topic", "category", "rubric", "created_by"]
    inlines = [MaterialInline]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin[Submission]):
    list_display = ["assignment", "student", "attempt", "submitted_at"]
    raw_id_fields = ["assignment", "student"]


class RubricScoreInline(admin.TabularInline[RubricScore, RubricAssessment]):
    model = RubricScore
    extra = 0
    raw_id_fields = ["criterion", "level"]


@admin.register(RubricAssessment)
class RubricAssessmentAdmin(admin.ModelAdmin[RubricAssessment]):
    list_display = ["rubric", "student", "kind", "assessor", "updated_at"]
    list_filter = ["kind"]
    raw_id_fields = ["rubric", "student", "assessor"]
    inlines = [RubricScoreInline]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin[Feedback]):
    list_display = ["assignment", "student", "score", "excused", "returned_at"]
    raw_id_fields = ["assignment", "student", "graded_by", "assessment"]


@admin.register(ClassEvent)
class ClassEventAdmin(admin.ModelAdmin[ClassEvent]):
    list_display = ["title", "school_class", "starts_at", "ends_at"]
    raw_id_fields = ["school_class"]
