from django.dispatch import receiver

from cases.models import BLIND_INDEX_FIELDS, Client
from privacy.services import subject_erased


@receiver(subject_erased)
def clear_client_blind_indexes(sender, subject_id, **kwargs):
    """An erased client can no longer be found: their blind indexes are emptied."""
    Client.objects.filter(pk=subject_id).update(**dict.fromkeys(BLIND_INDEX_FIELDS))
