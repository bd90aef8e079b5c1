from django.contrib import admin

from village.goals.models import Effort, Encouragement, GoalSet, Plan


@admin.register(GoalSet)
class GoalSetAdmin(admin.ModelAdmin[GoalSet]):
    list_display = ["title", "school_class", "opens_on", "closes_on", "published", "auto_approve"]
    list_filter = ["published", "school_class__school"]
    search_fields = ["title", "school_class__title"]
    raw_id_fields = ["school_class", "topic", "rubric", "created_by", "copied_from"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin[Plan]):
    list_display = ["student", "goal_set", "state", "submitted_at", "decided_at"]
    list_filter = ["state"]
    search_fields = ["student__last_name", "goal_set__title"]
    raw_id_fields = ["goal_set", "student", "decided_by"]


@admin.register(Effort)
class EffortAdmin(admin.ModelAdmin[Effort]):
    list_display = ["plan_goal", "created_at", "feedback_asked_at", "answered_at"]
    raw_id_fields = ["plan_goal", "self_assessment"]


@admin.register(Encouragement)
class EncouragementAdmin(admin.ModelAdmin[Encouragement]):
    list_display = ["author", "plan_goal", "language", "created_at", "hidden_at"]
    raw_id_fields = ["plan_goal", "effort", "author", "hidden_by"]
