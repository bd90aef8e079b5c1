from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "village.demo"
    label = "demo"
    verbose_name = "Demo school"
