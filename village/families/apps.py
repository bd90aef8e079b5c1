from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "village.families"
    label = "families"
    verbose_name = "Family view"

    def ready(self) -> None:
        from village.families import panels

        panels.register()
