"""Small helpers that read settings from the environment and refuse bad values loudly.

Every helper raises ImproperlyConfigured with the variable's name and what was expected, so a
typo in a deployment stops the process at start instead of running with a surprising value.
A `NAME_FILE` variable may hold the path of a file with the value (for secrets mounted as files).
"""

import base64
import binascii
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Keys (the vault's KEKs and index key, the audit key) are this many random bytes.
KEY_BYTES = 32
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    """The variable's value, or the contents of the file named by NAME_FILE, or None."""
    file_var = f"{name}_FILE"
    if os.environ.get(file_var):
        path = Path(os.environ[file_var])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{file_var} points to {path}, which cannot be read ({exc.strerror})."
            ) from None
    return os.environ.get(name)


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _raw(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(
                f"The environment variable {name} (or {name}_FILE) is required but not set."
            )
        return default
    if "\x00" in value:
        raise ImproperlyConfigured(f"{name} contains a NUL byte.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    folded = value.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean: use one of true/false, 1/0, yes/no, on/off."
    )


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is too small: the minimum is {minimum}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} is too large: the maximum is {maximum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(
            f"{name}={value!r} has an empty item: separate values with single commas."
        )
    return items


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip()
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {allowed}.")
    return value


def decode_key(text: str, what: str) -> bytes:
    """KEY_BYTES random bytes from standard or URL-safe base64, padded or not; `what` names it."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{what} is not valid base64.") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{what} must be {KEY_BYTES} random bytes in base64 (it decodes to {len(raw)} bytes)."
        )
    return raw


def env_key(name: str) -> bytes:
    """A key from the variable `name` (or NAME_FILE): required, KEY_BYTES bytes in base64."""
    text = env_str(name)
    if not text:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) is not set.")
    return decode_key(text, name)
