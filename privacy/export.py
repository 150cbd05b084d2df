"""A person's data package (GDPR art. 15 and 20): every record the system holds on them.

privacy imports no domain app: each app registers the kinds of record it keeps on a person
(`register(*kinds)` from its AppConfig.ready()): a key, a title, the fields that go out and a
function giving the person's rows. This module turns those rows into one JSON document (the
schema in docs/privacy.md, `SCHEMA_VERSION`), adds the documents' files, who changed each row
(the django-simple-history rows) and who read the person's data (the access log), and marks a
value "rectified" when the row's history holds an earlier, different, non-empty value.

Nothing of anyone else: each kind's `rows` selects by the person's own subject id, a foreign
key to another person's record is never followed (only ids of the person's own rows go out),
and staff are named as the DPO chose (role and organisation, or also the name).
"""

import datetime
import decimal
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import AccessLogEntry
from privacy.fields import ERASED
from privacy.models import ChildrenInExport, StaffNaming, Subject

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Options:
    """What the DPO decided in the form: the children's data, and how staff are named."""

    children: str = ChildrenInExport.NONE
    staff_naming: str = StaffNaming.ROLE


@dataclass(frozen=True)
class ExportFile:
    """A file that goes into the package (a document), at `path` inside the ZIP."""

    path: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Kind:
    """A kind of record an app keeps on a person, as the package shows it.

    `fields` are names of the model's fields (a path with `__` follows a foreign key to a
    thing that is not a person, e.g. `facility__name`; a name ending in `_id` gives the id of
    another of the person's own rows). `rows(subject, options)` gives the person's rows.
    `child_data`: the rows are of the person's children (household members), so the DPO's
    choice decides: none, `names_fields` only, or everything. `sensitive_fields` are special
    categories (art. 9 GDPR); `is_sensitive(row)` marks a whole row sensitive (a sensitive note).
    `file(row)` gives the row's file (a document), or None. `lifecycle` fields are never
    marked rectified.
    """

    key: str
    title: str
    model: type[models.Model]
    fields: tuple[str, ...]
    rows: Callable[[Subject, Options], Iterable[models.Model]]
    child_data: bool = False
    names_fields: tuple[str, ...] = ()
    sensitive_fields: tuple[str, ...] = ()
    is_sensitive: Callable[[models.Model], bool] | None = None
    file: Callable[[models.Model], ExportFile | None] | None = None
    # A label for a value in the PDF (a list of codes, a JSON of scores), when the field's own
    # choices do not say it: (field name, value) → text, or None to fall back.
    shown: Callable[[str, object], str | None] | None = None
    # Fields that change as the record lives (a status, an end date, the ladder's stage): a new
    # value there is a step, not a correction, so it is never marked "rectified".
    lifecycle: tuple[str, ...] = ()

    def fields_for(self, options: Options) -> tuple[str, ...]:
        if self.child_data and options.children == ChildrenInExport.NAMES:
            return self.names_fields
        return self.fields


_kinds: list[Kind] = []
# Other people's subjects whose data goes with the person's (children with EVERYTHING): their
# access-log rows go into the package too. provider(subject) → subject ids.
_companions: list[Callable[[Subject], Iterable[uuid.UUID]]] = []


def register(*kinds: Kind) -> None:
    """Add kinds of record (idempotent: a kind's key is registered once)."""
    known = {kind.key for kind in _kinds}
    for kind in kinds:
        if kind.key not in known:
            _kinds.append(kind)
            known.add(kind.key)


def register_companions(provider: Callable[[Subject], Iterable[uuid.UUID]]) -> None:
    """Add a provider of the subjects whose access-log rows go with the person's when the DPO
    exports everything of the children."""
    if provider not in _companions:
        _companions.append(provider)


def kinds() -> list[Kind]:
    return list(_kinds)


def model_field(model: type[models.Model], path: str) -> models.Field:
    """The field at the end of `path` (`facility__name`, `ipzs_id`, `kind`)."""
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(parts[-1])


class _Staff:
    """Staff named as the DPO chose, each user loaded once."""

    def __init__(self, naming: str):
        self.naming = naming
        self._users: dict[int, User | None] = {}

    def user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if user_id not in self._users:
            self._users[user_id] = (
                User.objects.select_related("organisation").filter(pk=user_id).first()
            )
        return self._users[user_id]

    def named(self, user_id: int | None, *, role: str | None = None) -> dict | None:
        """{"role", "organisation"[, "name"]}, or None for the system (no user)."""
        user = self.user(user_id)
        if user is None:
            return None
        who = {
            "role": role if role is not None else (user.role or ""),
            "organisation": user.organisation.name if user.organisation else "",
        }
        if self.naming == StaffNaming.NAME:
            who["name"] = user.get_full_name() or user.username
        return who


def _plain(value):
    """A value as JSON holds it: dates in ISO, times in local ISO, decimals as text."""
    if value is ERASED:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _raw(row, path: str):
    """The value at `path` of the row (following foreign keys), before it becomes JSON."""
    parts = path.split("__")
    value = row
    for part in parts[:-1]:
        value = getattr(value, part)
        if value is None:
            return None
    last = model_field(type(value), parts[-1]) if len(parts) > 1 else None
    if last is not None and last.is_relation:
        return getattr(value, last.attname)
    return getattr(value, parts[-1])


def _value(kind: Kind, row, path: str, staff: _Staff):
    f = model_field(kind.model, path)
    if f.is_relation and f.related_model is User:
        return staff.named(getattr(row, f.attname))
    if f.is_relation and path == f.name:
        # A thing that is not a person (a facility, a bed, a programme, a partner): its name.
        related = getattr(row, f.name)
        return str(related) if related is not None else None
    raw = _raw(row, path)
    if f.is_relation and raw is not None:
        # The id of another of the person's own rows, written as the rows' own ids are.
        return str(raw)
    return _plain(raw)


def _comparable(row, path: str):
    f = model_field(type(row), path) if "__" not in path else None
    if f is not None and f.is_relation:
        return getattr(row, f.attname)
    if "__" in path:
        return None
    value = getattr(row, path)
    return None if value is ERASED else value


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass
class Package:
    """The package's contents before they are written: the JSON document and the files."""

    document: dict
    files: list[ExportFile] = field(default_factory=list)
    # For the PDF: each section's kind, in order.
    kinds: list[Kind] = field(default_factory=list)


def _history(kind: Kind, row, fields: tuple[str, ...], staff: _Staff):
    """The row's changes (who, when, what kind, which fields) and its rectified fields."""
    history = getattr(row, "history", None)
    if history is None:
        return [], {}
    records = list(history.order_by("history_date", "history_id"))
    local = [p for p in fields if "__" not in p]
    changes, rectified = [], {}
    previous = None
    for record in records:
        changed = []
        if previous is not None:
            for path in local:
                old, new = _comparable(previous, path), _comparable(record, path)
                if old != new:
                    changed.append(path)
                    # A correction: an earlier value, not empty, was replaced.
                    if not _empty(old) and path not in kind.lifecycle:
                        rectified[path] = timezone.localdate(record.history_date).isoformat()
        changes.append(
            {
                "section": kind.key,
                "record_id": str(row.pk),
                "at": _plain(record.history_date),
                "change": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "by": staff.named(record.history_user_id),
                "fields": changed,
            }
        )
        previous = record
    return changes, rectified


def _accesses(subject_ids: list[uuid.UUID], staff: _Staff, main: uuid.UUID) -> list[dict]:
    rows = (
        AccessLogEntry.objects.filter(subject_id__in=subject_ids)
        .select_related("actor__organisation")
        .order_by("seq")
    )
    accesses = []
    for entry in rows.iterator(chunk_size=500):
        if entry.actor_id is not None:
            staff._users.setdefault(entry.actor_id, entry.actor)
        accesses.append(
            {
                "at": _plain(entry.at),
                "person": "self" if entry.subject_id == main else str(entry.subject_id),
                "action": entry.action,
                "purpose": entry.purpose,
                "outcome": entry.outcome,
                "by": staff.named(entry.actor_id, role=entry.actor_role),
            }
        )
    return accesses


def package_build(*, subject: Subject, options: Options) -> Package:
    """Everything the system holds on the person, as the JSON document and the files."""
    staff = _Staff(options.staff_naming)
    sections: dict[str, list[dict]] = {}
    changes: list[dict] = []
    files: list[ExportFile] = []
    listed_files: list[dict] = []
    for kind in _kinds:
        fields = kind.fields_for(options)
        records = []
        skip = kind.child_data and (options.children == ChildrenInExport.NONE or not fields)
        for row in [] if skip else kind.rows(subject, options):
            values = {path: _value(kind, row, path, staff) for path in fields}
            row_changes, rectified = _history(kind, row, fields, staff)
            whole = bool(kind.is_sensitive and kind.is_sensitive(row))
            record = {
                "id": str(row.pk),
                "values": values,
                "rectified": rectified,
                "sensitive": whole,
                "sensitive_fields": [p for p in fields if whole or p in kind.sensitive_fields],
            }
            if kind.file is not None:
                attached = kind.file(row)
                record["file"] = attached.path if attached else None
                if attached is not None:
                    files.append(attached)
                    listed_files.append(
                        {
                            "section": kind.key,
                            "record_id": str(row.pk),
                            "path": attached.path,
                            "content_type": attached.content_type,
                            "size": len(attached.content),
                        }
                    )
            records.append(record)
            changes.extend(row_changes)
        sections[kind.key] = records
    companions = []
    if options.children == ChildrenInExport.EVERYTHING:
        for provider in _companions:
            companions.extend(provider(subject))
    changes.sort(key=lambda change: change["at"])
    document = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _plain(timezone.now()),
        "generator": "Przystań",
        "person": {
            "subject_id": str(subject.pk),
            "kind": subject.kind,
            "registered_at": _plain(subject.created_at),
        },
        "options": {"children": options.children, "staff_naming": options.staff_naming},
        "sections": sections,
        "files": listed_files,
        "changes": changes,
        "accesses": _accesses([subject.pk, *companions], staff, subject.pk),
    }
    return Package(document=document, files=files, kinds=list(_kinds))


def role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code
