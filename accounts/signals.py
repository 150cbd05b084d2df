from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from accounts.roles import Role


@receiver(post_migrate)
def grant_administrator_model_permissions(sender, app_config=None, using="default", **kwargs):
    """Ensure every role's group exists, and let administrators edit organisations in the admin.

    Migration 0002 creates the groups; this runs after every migrate and flush (model
    permissions exist only then, and a test database flush would otherwise drop the groups).
    """
    if app_config is None or app_config.label != "accounts":
        return
    for role in Role.values:
        Group.objects.using(using).get_or_create(name=role)
    group = Group.objects.using(using).get(name=Role.ADMINISTRATOR)
    perms = Permission.objects.using(using).filter(
        content_type__app_label="accounts",
        content_type__model__in=["organisation"],
    )
    group.permissions.add(*perms)
