"""Shared fixtures; the page tests borrow Chromium and the page opener of tests/web."""
from tests.reports.conftest import history  # noqa: F401  (the hand-made history, shared)
from tests.web.conftest import browser, screenshot_dir  # noqa: E402,F401  (fixtures for the page tests)
from tests.web.test_browser import open_page  # noqa: E402,F401
