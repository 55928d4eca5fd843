"""Shared fixtures; the page tests borrow Chromium and the page opener of tests/web."""
import pytest

from . import history as h


@pytest.fixture
def history(machine, machine2, supervisor, technician, technician2, operator):
    return h.build(m1=machine, m2=machine2, reporter=supervisor, jean=technician, pierre=technician2,
                   operator=operator)

from tests.web.conftest import browser, screenshot_dir  # noqa: E402,F401  (fixtures for the page tests)
from tests.web.test_browser import open_page  # noqa: E402,F401
