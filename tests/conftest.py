"""The small cast every test shares: an admin, a supervisor, two technicians,
an operator, and a few machines. Tests build the rest in two or three ORM lines.
"""
import functools
import os
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from tickets.models import Machine, Ticket

FACTORY_TZ = ZoneInfo("America/Toronto")
# A fixed instant for tests that freeze time: Tuesday 12 Nov 2025, 09:26 in the factory.
NOW = datetime(2025, 11, 12, 9, 26, tzinfo=FACTORY_TZ)

PASSWORD = "mot-de-passe-de-test"


@functools.cache
def _hashed_password():
    # Hashing with Django's real hasher costs ~0.2 s; the cast shares one hash.
    return make_password(PASSWORD)


def make_user(email, role, first="Prénom", last="Nom", **extra):
    """A person who can sign in with PASSWORD."""
    user = User.objects.create_user(email, None, first_name=first, last_name=last, role=role, **extra)
    user.password = _hashed_password()
    user.save(update_fields=["password"])
    return user


def _serialized(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("serialized_rollback"))


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _serialized_first(items):
    """Run the `serialized_rollback` tests before the other transactional ones.

    pytest-django puts every transactional test after the plain ones. A plain
    transactional test ends with a flush that re-creates the content types (with
    new ids); a `serialized_rollback` test after it then re-inserts the serialized
    ones and fails on their unique (app_label, model) pair. Run first, it finds
    the database as migrated, and its own flush leaves the tables empty, which the
    next transactional tests expect anyway. Stable: the rest keeps its order.
    """
    serialized = [item for item in items if _serialized(item)]
    if not serialized:
        return
    rest = [item for item in items if not _serialized(item)]
    first = next((i for i, item in enumerate(rest) if _transactional(item)), len(rest))
    items[:] = rest[:first] + serialized + rest[first:]


@pytest.fixture(autouse=True)
def _role_groups(request):
    """The role groups of the data migration, put back when a transactional test
    flushed them (a `transaction=True` test empties every table when it ends, and
    the flush recreates permissions but not groups): without them nobody has any right.
    """
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db:
        return
    request.getfixturevalue("db" if "transactional_db" not in request.fixturenames else "transactional_db")
    from django.apps import apps
    from django.contrib.auth.models import Group

    from accounts.roles import Role, seed_roles

    if Group.objects.filter(name__in=[r.value for r in Role]).count() != len(Role):
        seed_roles(apps)


@pytest.fixture(autouse=True)
def _factory_language():
    """Each test starts in French: an API request with Accept-Language: en leaves
    English active in the thread, and a later test of the same worker would read it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Each test its own key prefix in the shared cache: sign-in counters and sessions
    outlive a test in Redis, or in the cache table after a transactional test."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def _no_delivery_thread(settings):
    """Notifications are delivered by the scan in tests, not by the background thread started after a
    commit (NOTIFICATIONS_DELIVER_ON_COMMIT): a test that wants the thread turns it on."""
    settings.NOTIFICATIONS_DELIVER_ON_COMMIT = False


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def admin_user(db):
    return make_user("alice@igp.test", Role.ADMIN, "Alice", "Admin")


@pytest.fixture
def supervisor(db):
    return make_user("marc@igp.test", Role.SUPERVISOR, "Marc", "Superviseur")


@pytest.fixture
def technician(db):
    return make_user("jean@igp.test", Role.TECHNICIAN, "Jean", "Technicien")


@pytest.fixture
def technician2(db):
    return make_user("pierre@igp.test", Role.TECHNICIAN, "Pierre", "Technicien")


@pytest.fixture
def operator(db):
    return make_user("luc@igp.test", Role.OPERATOR, "Luc", "Opérateur")


@pytest.fixture
def operator2(db):
    return make_user("paul@igp.test", Role.OPERATOR, "Paul", "Opérateur")


@pytest.fixture
def machine(db):
    return Machine.objects.create(machine_type="Polisseuse", model="Double Edger", serial_number="PDE-1",
                                  location="Atelier polissage")


@pytest.fixture
def machine2(db):
    return Machine.objects.create(machine_type="WaterJet", model="Flow", serial_number="WJ-1",
                                  location="Atelier découpe")


@pytest.fixture
def make_ticket(db, machine, supervisor):
    """Build a ticket in one line: make_ticket(status="diagnostic", assigned_to=tech, scheduled_date=...)."""

    def _make(**fields):
        fields.setdefault("title", "Ajouter de la graisse aux engrenages")
        fields.setdefault("description", "Engrenages d'entraînement")
        fields.setdefault("machine", machine)
        fields.setdefault("reporter", supervisor)
        return Ticket.objects.create(**fields)

    return _make


# --- Browser tests: skipped loudly where Chromium cannot be had, never in CI -------------
# bin/test installs Chromium when it runs as root; a developer without root still runs every
# other test, and is told at the end which ones did not run and the one command that fixes it.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_INSTALL = "sudo apt-get install chromium chromium-l10n"
_skipped_browser_tests = []


def chromium_available():
    return os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    _serialized_first(items)
    if chromium_available():
        return
    skip = pytest.mark.skip(reason=f"Chromium absent ({CHROMIUM}) : {CHROMIUM_INSTALL}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def pytest_runtest_logreport(report):
    # Runs in the xdist controller too, which sees every worker's reports.
    if report.skipped and "browser" in report.keywords and report.nodeid not in _skipped_browser_tests:
        _skipped_browser_tests.append(report.nodeid)


def _in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_sessionfinish(session, exitstatus):
    """In CI (root, Chromium installable) a run that skipped a browser test is a failed run."""
    if hasattr(session.config, "workerinput"):
        return
    if _skipped_browser_tests and _in_ci() and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if hasattr(config, "workerinput") or not _skipped_browser_tests:
        return
    tr = terminalreporter
    tr.section("TESTS NAVIGATEUR NON EXÉCUTÉS / BROWSER TESTS NOT RUN", sep="!", red=True, bold=True)
    tr.write_line(f"Chromium est introuvable ({CHROMIUM}) : {len(_skipped_browser_tests)} tests n'ont pas tourné :",
                  red=True, bold=True)
    for nodeid in _skipped_browser_tests:
        tr.write_line(f"  - {nodeid}")
    tr.write_line(f"Pour les exécuter : {CHROMIUM_INSTALL}", bold=True)
    if _in_ci():
        tr.write_line("CI=true : un test navigateur sauté fait échouer la série.", red=True, bold=True)


@pytest.fixture
def signed_in():
    """signed_in(user) -> a Client with that person's session (pages' tests, every app)."""

    def _client(user, **kwargs):
        client = Client(**kwargs)
        client.force_login(user)
        return client

    return _client
