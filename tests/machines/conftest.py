from tests.reports.conftest import history  # noqa: F401  (the hand-made history, shared)
