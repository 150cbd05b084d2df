"""Synthetic demo clients: invented names, valid-format PESELs with correct check digits.

The names are drawn from lists of common Polish first names and invented surnames; the PESELs
are generated (cases.pesel.synthesize), so they pass the checksum but belong to nobody on purpose.
"""

import datetime
import random

from accounts.models import User
from cases import services
from cases.models import Client
from cases.pesel import synthesize

WOMEN = ["Halina", "Bożena", "Jadwiga", "Grażyna", "Marianna", "Wiesława", "Teresa", "Łucja"]
MEN = ["Zdzisław", "Mirosław", "Bogdan", "Kazimierz", "Ryszard", "Włodzimierz", "Czesław", "Łukasz"]
SURNAMES = [
    ("Wierzbowy", "Wierzbowa"),
    ("Kalinowski", "Kalinowska"),
    ("Żurawiecki", "Żurawiecka"),
    ("Sosnówko", "Sosnówko"),
    ("Grabiński", "Grabińska"),
    ("Dębowiak", "Dębowiak"),
    ("Jarzębina", "Jarzębina"),
    ("Olszyński", "Olszyńska"),
    ("Brzozowy", "Brzozowa"),
    ("Cisowski", "Cisowska"),
    ("Modrzewski", "Modrzewska"),
    ("Jaworecki", "Jaworecka"),
]
MUNICIPALITIES = ["1465011", "1261011", "0264011", "3064011"]


def seed(*, count: int = 24) -> int:
    """Create demo clients in the demo social workers' caseloads, once."""
    worker = User.objects.filter(username="pracownik").first()
    other = User.objects.filter(username="pracownik2").first()
    if worker is None or Client.objects.exists():
        return 0
    rng = random.Random(2026)
    for n in range(count):
        female = n % 3 == 0
        first = rng.choice(WOMEN if female else MEN)
        surname = rng.choice(SURNAMES)[1 if female else 0]
        born = datetime.date(rng.randint(1950, 2002), rng.randint(1, 12), rng.randint(1, 28))
        has_pesel = n % 4 != 3  # some clients have no PESEL, or do not know it
        services.client_register(
            by=worker if (n % 5 or other is None) else other,
            first_name=first,
            surname=surname,
            pesel=synthesize(born, female=female, serial=rng.randint(0, 999)) if has_pesel else "",
            birth_date=born if n % 6 != 5 else None,
            sex="female" if female else "male",
            phone=f"+48 600 {rng.randint(100, 999)} {rng.randint(100, 999)}" if n % 2 else "",
            municipality_code=rng.choice(MUNICIPALITIES),
            contact_note="Zwykle przy dworcu rano." if n % 7 == 0 else "",
        )
    return count
