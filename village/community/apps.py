from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "village.community"
    label = "community"
    verbose_name = "Community"
