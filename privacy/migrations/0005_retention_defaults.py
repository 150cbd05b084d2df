"""The default retention periods (why these: docs/privacy.md, "Retention"); the DPO changes them."""

from django.db import migrations

# kind: (years, days, legal basis). In Polish: the DPO reads and edits them as they are.
DEFAULTS = {
    "case_file": (
        10,
        0,
        "Akta osoby przechowujemy 10 lat od zamknięcia sprawy, jak akta spraw świadczeń pomocy "
        "społecznej w jednolitych rzeczowych wykazach akt ośrodków pomocy społecznej (kategoria "
        "B10; rozporządzenie Ministra Kultury z 16 września 2002 r., Dz. U. nr 167, poz. 1375); "
        "art. 5 ust. 1 lit. e RODO. Założenie fundacji do potwierdzenia przez IOD.",
    ),
    "stay": (
        10,
        0,
        "Pobyty w placówce są częścią akt osoby: 10 lat od wymeldowania (jak akta sprawy). "
        "Daty, placówka i miejsce wyjścia zostają bez danych osobowych (statystyka, art. 89 RODO).",
    ),
    "document": (
        10,
        0,
        "Dokumenty należą do akt osoby: usuwane razem z nimi, 10 lat od zamknięcia sprawy.",
    ),
    "access_log": (
        6,
        0,
        "Rejestr dostępu rozlicza przetwarzanie (art. 5 ust. 2 RODO): 6 lat, ogólny termin "
        "przedawnienia roszczeń (art. 118 Kodeksu cywilnego), w tym o odszkodowanie z art. 82 RODO.",
    ),
    "backup": (
        0,
        35,
        "Kopie zapasowe: 35 dni (miesięczny cykl kopii i zapas); po odtworzeniu kopii usunięcia "
        "z rejestru usunięć stosuje się ponownie (reapply_erasures).",
    ),
}


def create_defaults(apps, schema_editor):
    RetentionPeriod = apps.get_model("privacy", "RetentionPeriod")
    for kind, (years, days, basis) in DEFAULTS.items():
        RetentionPeriod.objects.get_or_create(
            kind=kind, defaults={"years": years, "days": days, "legal_basis": basis}
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_retention_period")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
