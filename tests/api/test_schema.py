"""The OpenAPI schema, the offline interactive docs, and a fuzzing run against them."""
import io
import re
from types import SimpleNamespace

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.test_role_matrix import PNG
from tickets.models import Media


def test_the_schema_is_valid_openapi_and_lists_every_endpoint(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert {"/api/auth/login", "/api/tickets", "/api/tickets/{ticket_id}/move", "/api/machines/{id}",
            "/api/users/technicians", "/api/media/{id}/download", "/api/plans", "/api/plans/{id}",
            "/api/plans/{id}/generate", "/api/plans/{id}/occurrences", "/api/checklist-items",
            "/api/checklist-items/{id}"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"


def test_the_docs_page_uses_no_cdn_and_no_inline_script(client, db):
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "cdn" not in html.lower()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip()
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_docs_script_is_served_by_the_application(client, db):
    html = client.get("/api/docs/").content.decode()
    own_script = re.search(r'src="(/api/docs/\?script=)"', html)

    response = client.get(own_script.group(1))

    assert response.status_code == 200
    assert b"SwaggerUIBundle" in response.content


# --- Fuzzing: every operation, a bounded number of generated requests: no 5xx, answers as documented ---
# Loaded at collection from the in-process WSGI app (the schema view needs no database).
# (schemathesis.pytest.from_fixture would load it lazily, but breaks on pytest 9.)
# /api/health answers 503 on purpose while no overdue scan has run (notifications app).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).exclude(
    path="/api/health")
NOTIFICATIONS_PATHS = ("/api/webhooks/", "/api/cron/")


@pytest.fixture
def fuzz_world(db, admin_user, operator, machine, make_ticket, settings):
    settings.OVERDUE_WEBHOOK_URL = ""  # The overdue check must never reach the network.
    settings.CRON_SECRET = "secret-du-fuzzing"  # Unset, the cron endpoint answers 503 by design.
    ticket = make_ticket()
    media = Media.objects.create(ticket=ticket, original_name="p.png", content_type="image/png",
                                 kind=Media.Kind.PHOTO, size=len(PNG))
    media.file.save("p.png", io.BytesIO(PNG))
    from notifications.fanout import notify, ticket_params
    from notifications.models import Kind

    [notification] = notify(Kind.TICKET_ASSIGNED, recipients=[admin_user], ticket=ticket,
                            params=ticket_params(ticket), key="fuzz")  # the caller's own, for /read
    from messaging import services as messaging_services
    from planning.models import ChecklistItem, Plan

    conversation = messaging_services.private_conversation(user=admin_user, other=operator)
    message = messaging_services.message_send(conversation=conversation, sender=operator, content="fuzz")
    plan = Plan.objects.create(machine=machine, title="Graissage", start_date=ticket.created_at.date(),
                               created_by=admin_user)
    item = ChecklistItem.objects.create(ticket=ticket, label="Graisser")
    real_ids = {"tickets": ticket.ticket_id, "machines": machine.pk, "users": operator.pk, "media": media.pk,
                "webhooks": ticket.ticket_id, "notifications": notification.pk, "conversations": conversation.pk,
                "messages": message.pk, "plans": plan.pk, "checklist-items": item.pk}
    # A real WSGI request closes the database connection when it ends; inside a
    # test that connection holds the test's transaction (Django's test client
    # disconnects the same receivers).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield SimpleNamespace(token=str(AccessToken.for_user(admin_user)), real_ids=real_ids)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_makes_the_api_fail_or_answer_off_its_schema(case, fuzz_world):
    # Half of the generated identifiers are swapped for real ones, so the
    # operations also run on existing rows, not only on 404s.
    for name, value in list((case.path_parameters or {}).items()):
        if len(str(value)) % 2 == 0:
            case.path_parameters[name] = fuzz_world.real_ids[case.path.split("/")[2]]
    response = case.call(headers={"Authorization": f"Bearer {fuzz_world.token}"})

    checks = [not_a_server_error]
    if not case.path.startswith(NOTIFICATIONS_PATHS):  # Their schema is the notifications app's to keep.
        checks.append(response_schema_conformance)
    case.validate_response(response, checks=checks)


@pytest.mark.browser
def test_the_interactive_docs_work_in_chromium_without_internet_and_under_our_csp(live_server, chromium):
    page = chromium.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    outside = []
    page.route("**/*", lambda route: (outside.append(route.request.url) or route.abort())
               if not route.request.url.startswith(live_server.url) else route.continue_())

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag", timeout=15000)

    assert page.locator(".opblock").count() >= 20
    assert "IGP Maintenance API" in page.inner_text(".info")
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
