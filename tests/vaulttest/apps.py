from django.apps import AppConfig


class VaultTestConfig(AppConfig):
    name = "tests.vaulttest"
    label = "vaulttest"
