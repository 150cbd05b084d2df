"""factory_boy factories for synthetic test data. Invented names only."""

import factory
from django.contrib.auth.models import Group

from accounts.models import Organisation, User

TEST_PASSWORD = "correct-horse-battery-staple-42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organizacja testowa {n}")
    kind = Organisation.Kind.NGO


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Iterator(["Anna", "Jan", "Zofia", "Piotr", "Łucja"])
    last_name = factory.Iterator(["Testowa", "Próbny", "Zmyślona", "Wymyślny"])
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.set([Group.objects.get(name=extracted)])
        self.save()


# Invented names only: combined at random they name nobody real.
FIRST_NAMES_F = ["Zofia", "Halina", "Jadwiga", "Łucja", "Bożena", "Grażyna", "Marianna", "Wiesława"]
FIRST_NAMES_M = ["Zdzisław", "Łukasz", "Mirosław", "Bogdan", "Kazimierz", "Ryszard", "Włodzimierz"]
SURNAMES = [
    "Wierzbowy",
    "Kalinowski",
    "Żurawiecki",
    "Sosnówka",
    "Grabiński",
    "Dębowiak",
    "Jarzębina",
]


def make_client(
    *,
    first_name="Łukasz",
    surname="Nowak",
    pesel="",
    birth_date=None,
    sex="male",
    registered_by=None,
    holder=None,
    **extra,
):
    """A synthetic client with their own data subject and key, saved; in `holder`'s caseload."""
    from cases.models import Client
    from privacy import vault

    subject = vault.subject_create(kind="client")
    client = Client(
        subject=subject,
        first_name=first_name,
        surname=surname,
        pesel=pesel,
        birth_date=birth_date,
        sex=sex,
        registered_by=registered_by,
        **extra,
    )
    client.full_clean()
    client.save()
    if holder is not None:
        from cases.services import _assign

        _assign(client=client, worker=holder, by=holder)
    return client


def make_facility(
    *,
    organisation,
    name="Noclegownia testowa",
    kind="night_shelter",
    rooms=(("Sala 1", "men", 3), ("Sala 2", "women", 2)),
    **extra,
):
    """A facility with rooms of beds: rooms are (name, sex of the room, number of beds)."""
    import datetime

    from shelters.models import Bed, Facility, Room

    facility = Facility.objects.create(organisation=organisation, name=name, kind=kind, **extra)
    for room_name, sex, count in rooms:
        room = Room.objects.create(facility=facility, name=room_name, sex=sex)
        for n in range(1, count + 1):
            Bed.objects.create(
                facility=facility,
                room=room,
                label=f"{room_name[-1]}.{n}",
                kind="seat" if kind == "warming_centre" else "bed",
                available_from=datetime.date(2020, 1, 1),
            )
    return facility
