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
