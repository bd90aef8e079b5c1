from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "village.onboarding"
    label = "onboarding"
    verbose_name = "Family onboarding"
