"""Data: the trades of the foundation's workshops, and the CIS allowance's dated rules.

The rules are data, not code: a month is computed under the rows in force for it, and a manager
adds a row when the law or the unemployment benefit changes. Every row names its source;
docs/activation.md explains each figure and what is still to be checked against the
consolidated text.
"""

import datetime
from decimal import Decimal

from django.db import migrations

TRADES = [
    ("carpentry", "Stolarstwo"),
    ("locksmithing", "Ślusarstwo"),
    ("laundry", "Pralnictwo"),
    ("catering", "Gastronomia"),
    ("sewing", "Krawiectwo"),
]

ACT = "Ustawa z dnia 13 czerwca 2003 r. o zatrudnieniu socjalnym"
AMENDMENT_2022 = (
    "ustawa z dnia 13 stycznia 2022 r. o zmianie ustawy o zatrudnieniu socjalnym oraz "
    "niektórych innych ustaw (Dz.U. 2022 poz. 218), w życie 15.02.2022"
)
PRACTICE = (
    "Ułamki dnia: 1/20 za dzień nieusprawiedliwionej nieobecności, 1/40 za płatny dzień "
    "choroby, 1/30 za dzień bez świadczenia i za dzień niepełnego miesiąca (praktyka CIS, "
    "docs/activation.md)."
)

RATE_RULES = [
    {
        # The 50% trial month and 100% after it date from the act's first text (Dz.U. 2003
        # nr 122 poz. 1143); the table starts in 2020 because no earlier month is computed here.
        "valid_from": datetime.date(2020, 1, 1),
        "trial_month_percent": Decimal("50.00"),
        "percent": Decimal("100.00"),
        "sick_paid_days": 14,
        "bonus_cap_percent": Decimal("50.00"),
        "source": (
            f"{ACT}, t.j. Dz.U. 2020 poz. 176 (brzmienie sprzed 15.02.2022): art. 15 "
            "(okres próbny: 50% zasiłku z art. 72 ust. 1 pkt 1 ustawy o promocji zatrudnienia "
            "i instytucjach rynku pracy; po nim 100%), art. 15 ust. 7a (choroba potwierdzona "
            "przez lekarza, do 14 dni), do 6 dni wolnych płatnych w pełnej wysokości, art. 15a "
            f"(premia motywacyjna do 50% świadczenia). {PRACTICE}"
        ),
    },
    {
        # The 120% rate has effect from 1 January 2022 although the amendment came into force
        # on 15 February: months from January 2022 are computed at 120% (and corrected where
        # they had been paid at 100%).
        "valid_from": datetime.date(2022, 1, 1),
        "trial_month_percent": None,
        "percent": Decimal("120.00"),
        "sick_paid_days": 14,
        "bonus_cap_percent": Decimal("50.00"),
        "source": (
            f"{ACT}, art. 15 w brzmieniu nadanym przez {AMENDMENT_2022}: 120% zasiłku od "
            "pierwszego dnia, bez obniżonego okresu próbnego, z mocą od 1.01.2022. Pozostałe "
            f"zmiany od 15.02.2022 (następny wiersz). {PRACTICE}"
        ),
    },
    {
        "valid_from": datetime.date(2022, 2, 15),
        "trial_month_percent": None,
        "percent": Decimal("120.00"),
        "sick_paid_days": 21,
        "bonus_cap_percent": Decimal("100.00"),
        "source": (
            f"{ACT}, t.j. Dz.U. 2022 poz. 2241 i Dz.U. 2025 poz. 83: art. 15 ust. 4 (120% "
            "zasiłku), art. 15 ust. 7a w brzmieniu nadanym przez "
            f"{AMENDMENT_2022} (choroba, do 21 dni; art. 10 tej ustawy), art. 15a ust. 2 "
            f"(premia do 100% świadczenia z art. 15 ust. 4). {PRACTICE}"
        ),
    },
]

BASES = [
    (
        datetime.date(2020, 9, 1),
        Decimal("1200.00"),
        "art. 15 pkt 2 ustawy z 19 czerwca 2020 r. o dodatku solidarnościowym (Dz.U. 2020 "
        "poz. 1068): zasiłek z art. 72 ust. 1 pkt 1 ustawy o promocji zatrudnienia od 1.09.2020",
    ),
    (
        datetime.date(2021, 6, 1),
        Decimal("1240.80"),
        "waloryzacja zasiłku od 1.06.2021 (obwieszczenie ministra); MRiPS, 10.02.2022: "
        "świadczenie 120% = 1489 zł (1240,80 × 1,2 = 1488,96)",
    ),
    (
        datetime.date(2022, 6, 1),
        Decimal("1304.10"),
        "waloryzacja zasiłku od 1.06.2022, M.P. 2022 poz. 486",
    ),
    (
        datetime.date(2023, 6, 1),
        Decimal("1491.90"),
        "waloryzacja zasiłku od 1.06.2023 (obwieszczenie ministra; +14,4%)",
    ),
    (
        datetime.date(2024, 6, 1),
        Decimal("1662.00"),
        "waloryzacja zasiłku od 1.06.2024 (obwieszczenie ministra; +11,4%)",
    ),
    (
        datetime.date(2025, 6, 1),
        Decimal("1721.90"),
        "obwieszczenie MRPiPS z 19 maja 2025 r.: zasiłek od 1.06.2025 (art. 224 ust. 1 "
        "ustawy z 20 marca 2025 r. o rynku pracy i służbach zatrudnienia, Dz.U. 2025 poz. 620)",
    ),
    (
        datetime.date(2026, 6, 1),
        Decimal("1783.90"),
        "obwieszczenie MRPiPS z 2 marca 2026 r.: zasiłek od 1.06.2026",
    ),
]


def load(apps, schema_editor):
    Trade = apps.get_model("activation", "Trade")
    AllowanceRateRule = apps.get_model("activation", "AllowanceRateRule")
    AllowanceBase = apps.get_model("activation", "AllowanceBase")
    for code, name in TRADES:
        Trade.objects.get_or_create(code=code, defaults={"name": name})
    for rule in RATE_RULES:
        AllowanceRateRule.objects.get_or_create(
            valid_from=rule["valid_from"],
            defaults={
                **rule,
                "unexcused_day_divisor": 20,
                "sick_day_divisor": 40,
                "unpaid_day_divisor": 30,
                "days_off_max": 6,
            },
        )
    for valid_from, amount, source in BASES:
        AllowanceBase.objects.get_or_create(
            valid_from=valid_from, defaults={"amount": amount, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("activation", "0001_activation_models")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
