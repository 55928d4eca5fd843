import pytest

from . import history as h


@pytest.fixture
def history(machine, machine2, supervisor, technician, technician2, operator):
    return h.build(m1=machine, m2=machine2, reporter=supervisor, jean=technician, pierre=technician2,
                   operator=operator)
