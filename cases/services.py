"""Writes to case files: each in one transaction, permission-checked, with a history reason."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from audit.services import access_log_write
from cases.models import Client
from privacy import vault

CLIENT_FIELDS = [
    "first_name",
    "surname",
    "pesel",
    "birth_date",
    "sex",
    "phone",
    "email",
    "contact_note",
    "municipality_code",
]


def client_register(
    *,
    by,
    first_name: str,
    surname: str,
    pesel: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "not_known",
    phone: str = "",
    email: str = "",
    contact_note: str = "",
    municipality_code: str = "",
    request=None,
) -> Client:
    """Register a new client as a data subject with their own key, in the registrar's caseload."""
    if not by.has_role("social_worker"):
        raise PermissionDenied(_("Only social workers register clients."))
    with transaction.atomic():
        subject = vault.subject_create(kind="client")
        client = Client(
            subject=subject,
            first_name=first_name,
            surname=surname,
            pesel=pesel,
            birth_date=birth_date,
            sex=sex,
            phone=phone,
            email=email,
            contact_note=contact_note,
            municipality_code=municipality_code,
            registered_by=by,
        )
        client.full_clean()
        client._change_reason = "client_register"
        client.save()
        for permission in ("cases.view_client", "cases.change_client"):
            assign_perm(permission, by, client)
        access_log_write(actor=by, action="create", subject_id=client.pk, request=request)
    return client


def client_update(*, by, client: Client, request=None, **changes) -> Client:
    """Change a client's identity or contact details; the old values stay in the history."""
    if not by.has_perm("cases.change_client", client):
        raise PermissionDenied(_("You may not change this file."))
    unknown = set(changes) - set(CLIENT_FIELDS)
    if unknown:
        raise TypeError(f"client_update got unknown fields {sorted(unknown)}")
    with transaction.atomic():
        for name, value in changes.items():
            setattr(client, name, value)
        client.full_clean()
        client._change_reason = "client_update"
        client.save()
        access_log_write(actor=by, action="update", subject_id=client.pk, request=request)
    return client
