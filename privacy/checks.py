"""System checks: valid keys, and models with encrypted fields that cannot leak through queries."""

from django.apps import apps
from django.core.checks import Error, register

from privacy import keys


@register("przystan_keys")
def check_keys(app_configs=None, **kwargs):
    """Without valid keys Przystań refuses to start (and never serves garbage)."""
    return [
        Error(
            message, hint="See docs/privacy.md for generating and storing keys.", id="privacy.E001"
        )
        for message in keys.check_all()
    ]


@register()
def check_encrypted_models(app_configs=None, **kwargs):
    from privacy.fields import EncryptedField, VaultQuerySet

    errors = []
    for model in apps.get_models():
        encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if not encrypted or model.__name__.startswith("Historical"):
            continue
        queryset = model._default_manager.get_queryset()
        if not isinstance(queryset, VaultQuerySet):
            errors.append(
                Error(
                    f"{model._meta.label} has encrypted fields but its default manager is not a "
                    "VaultQuerySet manager.",
                    obj=model,
                    id="privacy.E002",
                )
            )
        names = {f.name for f in encrypted}
        for spec in model._meta.ordering or []:
            if isinstance(spec, str) and spec.lstrip("-?") in names:
                errors.append(
                    Error(
                        f"{model._meta.label} orders by the encrypted field {spec}.",
                        obj=model,
                        id="privacy.E003",
                    )
                )
    return errors
