"""PESEL validation: check digit, a real date with century offsets, ASCII digits only."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases.pesel import birth_date_of, sex_of, synthesize, validate_pesel

VALID = [
    synthesize(datetime.date(1961, 2, 28), female=False, serial=12),
    synthesize(datetime.date(2004, 12, 31), female=True, serial=999),  # month + 20
    synthesize(datetime.date(1899, 7, 1), female=True, serial=0),  # month + 80
    synthesize(datetime.date(2100, 1, 1), female=False, serial=5),  # month + 40
    synthesize(datetime.date(2000, 2, 29), female=True, serial=77),  # a leap day
]


@pytest.mark.parametrize("pesel", VALID)
def test_valid_synthetic_pesels_pass(pesel):
    assert validate_pesel(pesel) == pesel


def test_synthetic_pesels_encode_their_date_and_sex():
    pesel = synthesize(datetime.date(2004, 12, 31), female=True, serial=999)
    assert pesel[2:4] == "32"
    assert birth_date_of(pesel) == datetime.date(2004, 12, 31)
    assert sex_of(pesel) == "female"
    assert sex_of(synthesize(datetime.date(1980, 1, 1), female=False, serial=1)) == "male"


def _with_wrong_check_digit(pesel):
    return pesel[:10] + str((int(pesel[10]) + 1) % 10)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (_with_wrong_check_digit(VALID[0]), "pesel_checksum"),
        ("1234567890", "pesel_format"),
        ("123456789012", "pesel_format"),
        ("6102281234a", "pesel_format"),
        ("٦١٠٢٢٨١٢٣٤٥", "pesel_format"),  # Arabic-Indic digits: isdigit() but not ASCII
        ("６１０２２８１２３４５", "pesel_format"),  # full-width digits
        ("610 228 123", "pesel_format"),
        ("61023012340", "pesel_date"),  # 30 February, correct check digit
        ("61133112341", "pesel_date"),  # month 13, correct check digit
    ],
)
def test_invalid_pesels_are_refused_with_a_translated_reason(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_pesel(value)
    if code:
        assert caught.value.code == code
    assert str(caught.value.messages[0])


def test_the_messages_are_polish_by_default():
    with pytest.raises(ValidationError) as caught:
        validate_pesel(_with_wrong_check_digit(VALID[0]))
    assert "cyfr" in caught.value.messages[0] or "kontroln" in caught.value.messages[0]
