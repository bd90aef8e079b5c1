from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "village.families"
    label = "families"
    verbose_name = "Family view"
