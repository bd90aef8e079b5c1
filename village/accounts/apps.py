from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "village.accounts"
    label = "accounts"
    verbose_name = "Accounts"
