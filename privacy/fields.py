"""Encrypted model fields: each value sealed under its subject's data key, bound to a fixed label
and to its row (the model's fixed row label and the primary key: `row_identity`).

How a value travels:
- Loaded from the database it stays ciphertext (`Ciphertext`) until first read; the attribute
  descriptor then opens it with the row's subject key (`subject_id` of the row).
- Saved, `pre_save` seals the plaintext (or passes an untouched ciphertext through). A new row
  whose primary key the INSERT makes (an auto-incremented id) goes in with a placeholder that
  never opens, and is sealed bound to its new id right after, in the same transaction
  (`seal_new_rows`: the post_save receiver, and VaultQuerySet.bulk_create).
- Every value round-trips exactly, None, "", 0 and False included: a type tag is sealed with it.
- Plaintext never reaches the column: `update()`/`bulk_update()` with a value, filtering,
  ordering, `unique` and `db_index` on an encrypted field all raise.
- A value that does not open raises DecryptionError; an erased subject reads as ERASED.
"""

import datetime
import functools
import json
import uuid

from django import forms
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models, router, transaction
from django.db.models.query_utils import DeferredAttribute
from django.db.transaction import TransactionManagementError
from django.utils.translation import gettext_lazy as _

from config.widgets import DateInput
from privacy import crypto, vault


class Ciphertext(bytes):
    """Bytes read from an encrypted column, not yet opened."""


class _Erased:
    """What an erased subject's field reads as: prints as a placeholder, never crashes a page."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return str(_("[erased]"))

    def __repr__(self) -> str:
        return "ERASED"

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self):
        return iter(())


ERASED = _Erased()


def erased_ciphertexts(instance) -> dict[str, tuple[uuid.UUID, Ciphertext]]:
    """{attname: (subject id, ciphertext)} of the row's encrypted values that read as ERASED."""
    return instance.__dict__.setdefault("_vault_erased", {})


def keep_erased_in_history(sender, instance, history_instance, **kwargs) -> None:
    """simple-history copies a row by reading its fields: an erased value reads as ERASED, and
    its history row gets the live row's unreadable ciphertext instead (connected in apps.py)."""
    kept = instance.__dict__.get("_vault_erased")
    if not kept:
        return
    for attname, (_subject_id, ciphertext) in kept.items():
        if history_instance.__dict__.get(attname) is ERASED:
            history_instance.__dict__[attname] = ciphertext


# What a new row's encrypted columns hold between its INSERT and its sealing: too short to open.
PENDING = b""


@functools.cache
def row_identity(model) -> tuple[str, str]:
    """(row label, attribute of the primary key) bound into the ciphertexts of `model`'s rows.

    The row label is the prefix its fields' labels share ("note" of "note.text"): fixed in the
    code like the labels, never the class name, because simple-history's HistoricalX copies
    the fields (and their labels) and keeps the original row's primary key in the same
    attribute (its own is `history_id`), so a history row opens with the identity of its row.
    """
    original = _original(model)
    prefixes = {
        field.label.split(".", 1)[0]
        for field in original._meta.concrete_fields
        if isinstance(field, EncryptedField)
    }
    if len(prefixes) != 1:
        raise ImproperlyConfigured(
            f"{original._meta.label}: the labels of its encrypted fields must share one prefix "
            f"(the row label), not {sorted(prefixes)}."
        )
    return prefixes.pop(), original._meta.pk.attname


def _original(model):
    """The model a simple-history table copies (itself for any other model).

    Found by name in the model's own registry, so a migration's historical models (which are
    not HistoricalChanges subclasses and have no `instance_type`) bind as the running code does.
    """
    name = model._meta.object_name
    if name.startswith("Historical") and any(f.name == "history_id" for f in model._meta.fields):
        return model._meta.apps.get_model(model._meta.app_label, name.removeprefix("Historical"))
    return model


def unsealed(instance) -> set[str]:
    """The attnames of a new row's encrypted values still waiting for its primary key."""
    return instance.__dict__.setdefault("_vault_unsealed", set())


def seal_new_rows(model, instances) -> int:
    """Seal the waiting values of freshly inserted rows, bound to the ids the INSERT gave them.

    One UPDATE per row (executemany) of the encrypted columns only: the values are those the
    rows were saved with (and their history rows were copied from), so this writes no history.
    Runs in the inserting transaction (pre_save refuses a new row outside one). Returns how many
    rows it sealed.
    """
    model = model._meta.concrete_model
    by_columns: dict[tuple[str, ...], list] = {}
    for instance in instances:
        waiting = instance.__dict__.pop("_vault_unsealed", None)
        if not waiting:
            continue
        if instance.pk is None:
            raise TransactionManagementError(
                f"{model._meta.label}: a row with encrypted values was inserted without getting "
                "its id back (ignore_conflicts?); it cannot be sealed."
            )
        by_columns.setdefault(tuple(sorted(waiting)), []).append(instance)
    sealed = 0
    for attnames, rows in by_columns.items():
        fields = [f for f in model._meta.concrete_fields if f.attname in attnames]
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
        pk_column = connection.ops.quote_name(model._meta.pk.column)
        params = [
            [bytes(field.seal(row, row.__dict__.get(field.attname))) for field in fields] + [row.pk]
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {columns} WHERE {pk_column} = %s",  # noqa: S608
                params,
            )
        sealed += len(rows)
    return sealed


def seal_after_insert(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save: a new row saved with placeholders gets its sealed values (apps.py connects it)."""
    if created and not raw and instance.__dict__.get("_vault_unsealed"):
        seal_new_rows(type(instance), [instance])


# One type tag per kind of value, sealed with the value.
_NONE, _STR, _DATE, _INT, _BOOL, _JSON = b"N", b"S", b"D", b"I", b"B", b"J"


class _EncryptedAttribute(DeferredAttribute):
    """Opens a loaded ciphertext on first read; stores what is assigned as it is."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Ciphertext):
            opened = self.field.open(instance, value)
            if opened is ERASED:
                # Kept, so that saving the row again (a check-out of an erased person's stay,
                # and the history row it writes) passes the unreadable ciphertext through.
                subject_id = self.field.subject_id_of(instance)
                erased_ciphertexts(instance)[self.field.attname] = (subject_id, value)
            instance.__dict__[self.field.attname] = value = opened
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.Field):
    """Base of the encrypted fields. `label` is fixed (it is bound into every ciphertext)."""

    descriptor_class = _EncryptedAttribute
    tag = _STR

    def __init__(self, *args, label: str | None = None, subject_field: str = "subject", **kwargs):
        if not label:
            raise ImproperlyConfigured(
                "Encrypted fields need a fixed label, e.g. label='client.surname'."
            )
        for forbidden in ("unique", "db_index", "primary_key"):
            if kwargs.get(forbidden):
                raise ImproperlyConfigured(
                    f"{label}: an encrypted field cannot be {forbidden} (its ciphertext is "
                    "random); "
                    "use a blind index for look-ups."
                )
        self.label = label
        self.subject_field = subject_field
        # None is a value like any other (sealed too), so the column itself is never NULL.
        self.allow_none = kwargs.pop("null", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["label"] = self.label
        if self.subject_field != "subject":
            kwargs["subject_field"] = self.subject_field
        if self.allow_none:
            kwargs["null"] = True
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "BinaryField"

    # --- sealing and opening ---------------------------------------------------------------
    def subject_id_of(self, instance) -> uuid.UUID:
        subject_id = getattr(instance, f"{self.subject_field}_id")
        if subject_id is None:
            raise ValueError(f"{self.label}: the row has no subject, so there is no key to use.")
        return subject_id

    def row_of(self, instance) -> bytes | None:
        """The row identity bound into this row's values; None before its id exists."""
        row_label, pk_attname = row_identity(self.model)
        pk = getattr(instance, pk_attname)
        return None if pk is None else crypto.row_binding(row_label, pk)

    def seal(self, instance, value) -> "Ciphertext":
        """`value` sealed under the row's subject key, bound to the field and the row."""
        return Ciphertext(
            vault.encrypt_value(
                self.encode(value),
                label=self.label,
                subject_id=self.subject_id_of(instance),
                row=self.row_of(instance),
            )
        )

    def open(self, instance, blob: bytes):
        plaintext = vault.decrypt_value(
            bytes(blob),
            label=self.label,
            subject_id=self.subject_id_of(instance),
            row=self.row_of(instance),
        )
        if plaintext is vault.ERASED_KEY:
            return ERASED
        return self.decode(plaintext)

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, Ciphertext):
            return value
        if value is ERASED:
            # The row's own unreadable ciphertext goes back as it was; anything else would need
            # the destroyed key.
            subject_id, kept = erased_ciphertexts(model_instance).get(self.attname, (None, None))
            # Only back into the row it came from: a row moved to another subject cannot take it.
            if kept is None or subject_id != self.subject_id_of(model_instance):
                raise vault.SubjectErased(f"{self.label}: the subject was erased")
            return kept
        if self.row_of(model_instance) is None:
            # The id comes from the INSERT: the column holds PENDING until seal_new_rows, right
            # after in the same transaction. Outside one, a crash between the two would leave a
            # value that never opens, so that is refused.
            if not transaction.get_connection(router.db_for_write(self.model)).in_atomic_block:
                raise TransactionManagementError(
                    f"{self.label}: a new row with encrypted values is saved inside "
                    "transaction.atomic() (it is sealed with its id after the INSERT)."
                )
            self.encode(value)  # a bad value fails now, not after the INSERT
            self.subject_id_of(model_instance)
            unsealed(model_instance).add(self.attname)
            return Ciphertext(PENDING)
        return self.seal(model_instance, value)

    def encode(self, value) -> bytes:
        value = self.to_python(value)
        if value is None:
            return _NONE
        return self.tag + self.encode_value(value)

    def decode(self, plaintext: bytes):
        tag, body = plaintext[:1], plaintext[1:]
        if tag == _NONE:
            return None
        if tag != self.tag:
            raise vault.crypto.DecryptionError(f"{self.label}: unexpected value type")
        return self.decode_value(body)

    def encode_value(self, value) -> bytes:
        return str(value).encode("utf-8")

    def decode_value(self, body: bytes):
        return body.decode("utf-8")

    # --- the database side ------------------------------------------------------------------
    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return Ciphertext(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if not isinstance(value, Ciphertext):
            raise FieldError(
                f"{self.label}: plaintext never goes into an encrypted column; save the model "
                "instance (not update() or bulk_update()) so the value is sealed."
            )
        return bytes(value)

    def value_to_string(self, obj):
        raise FieldError(
            f"{self.label}: encrypted fields are not serialised; use the subject export."
        )

    def get_lookup(self, lookup_name):
        raise FieldError(
            f"{self.label} is encrypted: it cannot be filtered ({lookup_name}); use a blind index."
        )

    def get_transform(self, lookup_name):
        raise FieldError(f"{self.label} is encrypted: it cannot be transformed ({lookup_name}).")

    def clean(self, value, model_instance):
        # An erased value stays ERASED through full_clean(): its placeholder text is not data.
        if value is ERASED:
            return value
        return super().clean(value, model_instance)

    def validate(self, value, model_instance):
        if value is None and self.allow_none:
            return
        super().validate(value, model_instance)


class EncryptedCharField(EncryptedField):
    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        from django.core import validators

        self.validators.append(validators.MaxLengthValidator(max_length))

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": forms.CharField, "max_length": self.max_length, **kwargs}
        )


class EncryptedTextField(EncryptedCharField):
    def __init__(self, *args, max_length: int = 100_000, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": forms.Textarea, **kwargs})


class EncryptedDateField(EncryptedField):
    empty_strings_allowed = False
    tag = _DATE

    def to_python(self, value):
        if (
            value is None
            or isinstance(value, datetime.date)
            and not isinstance(value, datetime.datetime)
        ):
            return value
        return models.DateField().to_python(value)

    def encode_value(self, value) -> bytes:
        return value.isoformat().encode()

    def decode_value(self, body: bytes):
        return datetime.date.fromisoformat(body.decode())

    def formfield(self, **kwargs):
        return super().formfield(
            **{
                "form_class": forms.DateField,
                "widget": DateInput,
                **kwargs,
            }
        )


class EncryptedIntegerField(EncryptedField):
    empty_strings_allowed = False
    tag = _INT

    def to_python(self, value):
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        return models.IntegerField().to_python(value)

    def decode_value(self, body: bytes):
        return int(body.decode())

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.IntegerField, **kwargs})


class EncryptedBooleanField(EncryptedField):
    empty_strings_allowed = False
    tag = _BOOL

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        return models.BooleanField().to_python(value)

    def encode_value(self, value) -> bytes:
        return b"1" if value else b"0"

    def decode_value(self, body: bytes):
        return body == b"1"

    def formfield(self, **kwargs):
        form_class = forms.NullBooleanField if self.allow_none else forms.BooleanField
        return super().formfield(**{"form_class": form_class, **kwargs})


class EncryptedJSONField(EncryptedField):
    """Keys and values both sealed: nothing of the structure is visible in the column."""

    empty_strings_allowed = False
    tag = _JSON

    def to_python(self, value):
        return value

    def encode_value(self, value) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def decode_value(self, body: bytes):
        return json.loads(body.decode())

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


def encrypted_field_names(model) -> set[str]:
    return {
        name
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedField)
        for name in (field.name, field.attname)
    }


class VaultQuerySet(models.QuerySet):
    """A QuerySet that refuses what would leak or bypass encryption, and prefetches keys."""

    _prefetch_keys = False

    def _final_field(self, spec: str):
        model, field = self.model, None
        for part in spec.split("__"):
            try:
                field = model._meta.get_field(part)
            except Exception:
                return None
            model = field.related_model or model
        return field

    def order_by(self, *field_names):
        for spec in field_names:
            name = getattr(spec, "name", spec)
            if isinstance(name, str):
                field = self._final_field(name.lstrip("-?"))
                if isinstance(field, EncryptedField):
                    raise FieldError(f"{field.label} is encrypted: it cannot be used for ordering.")
        return super().order_by(*field_names)

    def update(self, **kwargs):
        encrypted = encrypted_field_names(self.model) & set(kwargs)
        if encrypted:
            raise FieldError(
                f"update() would bypass encryption and history for {sorted(encrypted)}: "
                "save each instance instead."
            )
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        encrypted = encrypted_field_names(self.model) & set(fields)
        if encrypted:
            raise FieldError(
                f"bulk_update() would bypass encryption and history for {sorted(encrypted)}."
            )
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        """Inserted, then sealed bound to the ids the INSERT returned, in one transaction."""
        with transaction.atomic(using=self.db, savepoint=False):
            objs = super().bulk_create(objs, *args, **kwargs)
            seal_new_rows(self.model, objs)
        return objs

    def with_keys(self):
        """Unwrap the data keys of all fetched rows with one query, when the rows are fetched."""
        clone = self._chain()
        clone._prefetch_keys = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._prefetch_keys = self._prefetch_keys
        return clone

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._prefetch_keys:
            # From the row's loaded values: a deferred column would cost a query per row.
            vault.prefetch(
                row.__dict__.get(attname)
                for row in self._result_cache
                if isinstance(row, models.Model)
                for attname in subject_attnames(type(row))
            )


@functools.cache
def subject_attnames(model) -> tuple[str, ...]:
    """The attributes holding the subject ids a model's encrypted fields are sealed under.

    `subject_id` by default; `client_id` for the rows that name their subject through a foreign
    key (`subject_field="client"`: the client's primary key is their subject's id). A model
    without encrypted fields still offers `subject_id` if it has one.
    """
    names = {
        f"{field.subject_field}_id"
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedField)
    }
    if not names and any(f.attname == "subject_id" for f in model._meta.concrete_fields):
        names = {"subject_id"}
    return tuple(sorted(names))
