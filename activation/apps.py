from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivationConfig(AppConfig):
    name = "activation"
    verbose_name = _("Activation")

    # The pages (the job coach's start page, attendance, allowance lists) add their NavItems
    # here when they land; accounts.navigation collects whatever this lists.
    navigation: list = []

    # No demo data yet: `demo_seed = "activation.demo.seed"` once the demo is written.
