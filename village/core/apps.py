from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "village.core"
    label = "core"
    verbose_name = "Village core"

    def ready(self) -> None:
        from village.core import clientip  # noqa: F401  (registers its system check)
