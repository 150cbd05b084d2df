"""System checks: without valid keys Przystań refuses to start (and never serves garbage)."""

from django.core.checks import Error, register

from privacy import keys


@register("przystan_keys", deploy=False)
def check_keys(app_configs=None, **kwargs):
    return [
        Error(
            message, hint="See docs/privacy.md for generating and storing keys.", id="privacy.E001"
        )
        for message in keys.check_all()
    ]
