"""PESEL, the Polish national ID number: validation (python-stdnum) with translated messages.

PESEL is optional in Przystań: many clients have none or do not know it. When one is given it
must be 11 ASCII digits with a correct check digit and a real date of birth.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.pl import pesel as stdnum_pesel

_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_CENTURY_OFFSETS = {1800: 80, 1900: 0, 2000: 20, 2100: 40, 2200: 60}


def validate_pesel(value: str) -> str:
    """Return the PESEL if valid; raise a translated ValidationError saying what is wrong."""
    # stdnum would accept Unicode digits and strip spaces; a PESEL is exactly 11 ASCII digits.
    if len(value) != 11 or not value.isascii() or not value.isdigit():
        raise ValidationError(_("A PESEL has exactly 11 digits."), code="pesel_format")
    try:
        stdnum_pesel.validate(value)
    except stdnum_pesel.InvalidChecksum:
        raise ValidationError(
            _("This PESEL has a wrong check digit: please check it against the document."),
            code="pesel_checksum",
        ) from None
    except stdnum_pesel.InvalidComponent:
        raise ValidationError(
            _("This PESEL does not contain a real date of birth."), code="pesel_date"
        ) from None
    except stdnum_pesel.ValidationError:
        raise ValidationError(_("This is not a valid PESEL."), code="pesel_invalid") from None
    return value


def birth_date_of(value: str) -> datetime.date:
    return stdnum_pesel.get_birth_date(value)


def sex_of(value: str) -> str:
    """'female' or 'male', from the tenth digit (even: female)."""
    return "female" if int(value[9]) % 2 == 0 else "male"


def synthesize(birth_date: datetime.date, *, female: bool, serial: int) -> str:
    """A valid-format PESEL for synthetic data (demo, tests); serial 0..999 varies it."""
    century = (birth_date.year // 100) * 100
    month = birth_date.month + _CENTURY_OFFSETS[century]
    head = f"{birth_date.year % 100:02d}{month:02d}{birth_date.day:02d}{serial % 1000:03d}"
    sex_digit = (serial // 1000 * 2 + (0 if female else 1)) % 10
    if female and sex_digit % 2:
        sex_digit -= 1
    digits = head + str(sex_digit)
    check = (10 - sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 10) % 10
    return digits + str(check)


def complete_from_pesel(
    pesel: str, *, birth_date: datetime.date | None, sex: str
) -> tuple[datetime.date | None, str, dict[str, ValidationError]]:
    """(birth date, sex, {field: error}) for an intake with a valid PESEL.

    A missing date of birth and an unknown sex are filled in from the PESEL, which encodes
    both; a given date or sex that the PESEL contradicts is an error on that field (a mistyped
    digit is far likelier than a registry that is wrong), never silently replaced.
    """
    errors = {}
    encoded_date, encoded_sex = birth_date_of(pesel), sex_of(pesel)
    if birth_date is None:
        birth_date = encoded_date
    elif birth_date != encoded_date:
        errors["birth_date"] = ValidationError(
            _(
                "The PESEL encodes another date of birth (%(date)s): check the PESEL "
                "and the date against the document."
            ),
            code="pesel_birth_date",
            params={"date": encoded_date.strftime("%d.%m.%Y")},
        )
    if sex not in ("female", "male"):
        sex = encoded_sex
    elif sex != encoded_sex:
        errors["sex"] = ValidationError(
            _("The PESEL encodes the other sex: check the PESEL and the sex against the document."),
            code="pesel_sex",
        )
    return birth_date, sex, errors
