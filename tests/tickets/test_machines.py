import pytest
from django.core.exceptions import ValidationError

from tickets.models import Machine


def test_many_machines_may_have_no_serial_number(db):
    Machine.objects.create(machine_type="Autre", model="A", serial_number="")
    Machine.objects.create(machine_type="Autre", model="B", serial_number="   ")
    Machine.objects.create(machine_type="Autre", model="C")
    assert Machine.objects.filter(serial_number__isnull=True).count() == 3


def test_a_serial_number_already_used_is_refused_with_a_french_message(machine):
    twin = Machine(machine_type="CNC", model="X", serial_number=f" {machine.serial_number} ")
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert "Une autre machine porte déjà ce numéro de série." in str(error.value)
