"""The first admin, created the way the README tells a sysadmin: createsuperuser --noinput."""
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_admin_env(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Direction@Verrerie.test")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Un-mot-de-passe-solide-2025")
    monkeypatch.delenv("DJANGO_SUPERUSER_FIRST_NAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_LAST_NAME", raising=False)


def test_createsuperuser_noinput_needs_only_an_address_and_a_password(first_admin_env):
    call_command("createsuperuser", "--noinput", verbosity=0)

    admin = authenticate(username="direction@verrerie.test", password="Un-mot-de-passe-solide-2025")
    assert admin is not None
    assert (admin.role, admin.is_superuser, admin.is_staff) == (Role.ADMIN, True, True)
    assert list(admin.groups.values_list("name", flat=True)) == [Role.ADMIN.value]


def test_the_first_admin_can_be_named_with_the_same_variables(first_admin_env, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_FIRST_NAME", "Hélène")
    monkeypatch.setenv("DJANGO_SUPERUSER_LAST_NAME", "Roy")

    call_command("createsuperuser", "--noinput", verbosity=0)

    assert User.objects.get().full_name == "Hélène Roy"
