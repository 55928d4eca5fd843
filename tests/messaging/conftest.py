import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from messaging import services
from tests.conftest import make_user
from tests.web.conftest import browser, screenshot_dir  # noqa: F401 (shared fixtures)

from . import samples


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def viewer(db):
    return make_user("lecteur@igp.test", Role.VIEWER, "Léa", "Lectrice")


@pytest.fixture
def private(technician, technician2):
    """The private conversation of the two technicians."""
    return services.private_conversation(user=technician, other=technician2)


@pytest.fixture
def public(db):
    return services.public_channel()


def upload(data, name="message-vocal.webm", content_type="audio/webm"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def voice():
    return lambda seconds=2.0: upload(samples.webm(seconds))
