"""The installable app's manifest, service worker and offline page, as the server answers them."""
import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    manifest = json.loads(response.content)

    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["name"] == "IGP Maintenance" and manifest["lang"] == "fr"
    assert manifest["start_url"] == reverse("web:board") == "/"
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}
    assert manifest["shortcuts"][0]["url"] == reverse("web:report")


def test_the_service_worker_is_served_from_the_root_and_always_revalidated(client):
    response = client.get("/sw.js")
    body = response.content.decode()

    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache" and response["Service-Worker-Allowed"] == "/"
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", body).group(1))
    assert "/static/css/app.css" in shell and "/static/vendor/htmx/htmx.min.js" in shell
    assert json.loads(re.search(r"var OFFLINE = (\{.*?\});", body).group(1)) == {"fr": "/hors-ligne/fr/",
                                                                                  "en": "/hors-ligne/en/"}
    assert re.search(r'var VERSION = "[0-9a-f]{16}"', body)


def test_the_workers_version_changes_when_a_static_file_does(client, settings):
    before = re.search(r'VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)
    settings.STATIC_URL = "/static-v2/"  # a deployment whose hashed file names differ
    after = re.search(r'VERSION = "(\w+)"', client.get("/sw.js").content.decode()).group(1)

    assert before != after


def test_the_offline_page_is_public_and_speaks_the_language_of_its_address(client, technician):
    client.force_login(technician)
    french = client.get("/hors-ligne/fr/")
    english = client.get("/hors-ligne/en/")

    assert french.status_code == 200 and "Pas de connexion" in french.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert technician.email not in french.content.decode()  # cached on the device: nothing about anyone
    assert french["Cache-Control"] == "public, max-age=3600"
    assert client.get("/hors-ligne/de/").status_code == 404


def test_every_page_links_the_manifest_and_loads_the_worker_script_from_a_file(client, technician):
    client.force_login(technician)
    page = client.get(reverse("web:board")).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<script src="/static/js/pwa.js" defer></script>' in page
    assert re.search(r"<script>(?!</script>)", page) is None  # CSP: no inline script
