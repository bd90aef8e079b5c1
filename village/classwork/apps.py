from django.apps import AppConfig


class ClassworkConfig(AppConfig):
    name = "village.classwork"
    label = "classwork"
    verbose_name = "Classwork"
