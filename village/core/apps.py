from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "village.core"
    label = "core"
    verbose_name = "Village core"
