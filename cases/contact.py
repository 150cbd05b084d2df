"""A client's phone number and e-mail address: checked at intake, phones kept in E.164.

Phone numbers are read with the `phonenumbers` library (Google's libphonenumber): a number
without a country code is taken as Polish, and what is stored is its E.164 form (+48600700800),
so one number written three ways is one number. E-mail addresses are checked with Django's own
validator; neither is looked up anywhere.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

# The region a number without "+" and a country code is read in.
DEFAULT_PHONE_REGION = "PL"


def phone_e164(value: str, *, region: str = DEFAULT_PHONE_REGION) -> str:
    """The number in E.164 (""+48600700800"), or "" for an empty value; a translated
    ValidationError for anything that is not a valid number."""
    value = (value or "").strip()
    if not value:
        return ""
    invalid = ValidationError(
        _(
            "This is not a valid phone number. A Polish number has 9 digits (e.g. 600 700 800); "
            "a foreign one starts with + and the country code."
        ),
        code="phone",
    )
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """A stored number as people write it (+48 600 700 800); as stored if it cannot be read."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def email_checked(value: str) -> str:
    """The address stripped, or "" for an empty value; a translated error if it is not one."""
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("This is not a valid e-mail address (e.g. jan.kowalski@example.pl)."),
                code="email",
            ) from None
    return value
