"""Who may call what: every endpoint of the API × every core role, in one table.

Each row is an endpoint called on a ticket the operator did NOT report (so an
operator must get 404 for it, never its data), unless the row says "own"
(the operator's own ticket). The expected status per role is the contract;
a change of the role matrix that alters access shows up here as a diff.
"""
import io
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.roles import Role
from notifications.models import Notification
from tests.api.conftest import ticket_url
from tests.conftest import PASSWORD, make_user
from tests.messaging.samples import webm
from tickets.models import Media

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

ROLES = ["admin", "supervisor", "technician", "operator", "anonymous"]

# name: (method, path builder, body builder or None, {role: expected status})
# Path/body builders receive the world `w` (see the fixture below) and the caller.
ENDPOINTS = {
    # --- sign-in: open to everyone, with one's own credentials -------------
    "login": ("post", lambda w, u: "/api/auth/login",
              lambda w, u: {"email": u.email if u else "nobody@igp.test", "password": PASSWORD},
              dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "refresh": ("post", lambda w, u: "/api/auth/refresh",
                lambda w, u: {"refresh": str(RefreshToken.for_user(u)) if u else "pas-un-jeton"},
                dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "logout": ("post", lambda w, u: "/api/auth/logout",
               lambda w, u: {"refresh": str(RefreshToken.for_user(u)) if u else "pas-un-jeton"},
               dict(admin=204, supervisor=204, technician=204, operator=204, anonymous=401)),
    "me": ("get", lambda w, u: "/api/auth/me", None,
           dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "change own password": ("post", lambda w, u: "/api/users/me/password",
                            lambda w, u: {"old_password": PASSWORD, "new_password": "Un nouveau mot de passe 2025"},
                            dict(admin=204, supervisor=204, technician=204, operator=204, anonymous=401)),
    # --- tickets ------------------------------------------------------------
    "list tickets": ("get", lambda w, u: "/api/tickets", None,
                     dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "report a ticket": ("post", lambda w, u: "/api/tickets",
                        lambda w, u: {"machine": w.machine.pk, "title": "Fuite d'huile"},
                        dict(admin=201, supervisor=201, technician=201, operator=201, anonymous=401)),
    "read a ticket": ("get", lambda w, u: ticket_url(w.ticket), None,
                      dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "read own ticket": ("get", lambda w, u: ticket_url(w.own_ticket), None,
                        dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "update a ticket": ("patch", lambda w, u: ticket_url(w.ticket), lambda w, u: {"priority": "high"},
                        dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "update own ticket": ("patch", lambda w, u: ticket_url(w.own_ticket), lambda w, u: {"priority": "high"},
                          dict(admin=200, supervisor=200, technician=200, operator=403, anonymous=401)),
    "delete a ticket": ("delete", lambda w, u: ticket_url(w.ticket), None,
                        dict(admin=204, supervisor=204, technician=403, operator=404, anonymous=401)),
    "delete own ticket": ("delete", lambda w, u: ticket_url(w.own_ticket), None,
                          dict(admin=204, supervisor=204, technician=403, operator=403, anonymous=401)),
    "move a ticket": ("post", lambda w, u: ticket_url(w.ticket, "move"), lambda w, u: {"status": "diagnostic"},
                      dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "move own ticket": ("post", lambda w, u: ticket_url(w.own_ticket, "move"), lambda w, u: {"status": "diagnostic"},
                        dict(admin=200, supervisor=200, technician=200, operator=403, anonymous=401)),
    "assign a ticket": ("post", lambda w, u: ticket_url(w.ticket, "assign"),
                        lambda w, u: {"assigned_to": w.technician.pk},
                        dict(admin=200, supervisor=200, technician=403, operator=404, anonymous=401)),
    "schedule a ticket": ("post", lambda w, u: ticket_url(w.ticket, "schedule"),
                          lambda w, u: {"scheduled_date": "2025-11-20T08:00:00-05:00"},
                          dict(admin=200, supervisor=200, technician=403, operator=404, anonymous=401)),
    "read a timeline": ("get", lambda w, u: ticket_url(w.ticket, "timeline"), None,
                        dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "read comments": ("get", lambda w, u: ticket_url(w.ticket, "comments"), None,
                      dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "comment a ticket": ("post", lambda w, u: ticket_url(w.ticket, "comments"), lambda w, u: {"body": "Vu."},
                         dict(admin=201, supervisor=201, technician=201, operator=404, anonymous=401)),
    "comment own ticket": ("post", lambda w, u: ticket_url(w.own_ticket, "comments"), lambda w, u: {"body": "Vu."},
                           dict(admin=201, supervisor=201, technician=201, operator=201, anonymous=401)),
    "list media": ("get", lambda w, u: ticket_url(w.ticket, "media"), None,
                   dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "upload a photo": ("multipart", lambda w, u: ticket_url(w.ticket, "media"),
                       lambda w, u: {"file": SimpleUploadedFile("p.png", PNG)},
                       dict(admin=201, supervisor=201, technician=201, operator=404, anonymous=401)),
    "upload to own ticket": ("multipart", lambda w, u: ticket_url(w.own_ticket, "media"),
                             lambda w, u: {"file": SimpleUploadedFile("p.png", PNG)},
                             dict(admin=201, supervisor=201, technician=201, operator=201, anonymous=401)),
    "download a photo": ("get", lambda w, u: f"/api/media/{w.photo.pk}/download", None,
                         dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "read a photo's details": ("get", lambda w, u: f"/api/media/{w.photo.pk}", None,
                               dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "download a thumbnail": ("get", lambda w, u: f"/api/media/{w.photo.pk}/thumbnail", None,
                             dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    # Someone else's photo: only supervisors and admins (tickets.delete_media) remove it.
    "delete a photo": ("delete", lambda w, u: f"/api/media/{w.photo.pk}", None,
                       dict(admin=204, supervisor=204, technician=403, operator=404, anonymous=401)),
    # The photo the caller sent himself, on a ticket he sees: its sender removes it, whatever his role.
    "delete one's own photo": ("delete", lambda w, u: f"/api/media/{w.own_photos[u.role].pk if u else 0}", None,
                               dict(admin=204, supervisor=204, technician=204, operator=204, anonymous=401)),
    # --- machines -------------------------------------------------------------
    "list machines": ("get", lambda w, u: "/api/machines", None,
                      dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "read a machine": ("get", lambda w, u: f"/api/machines/{w.machine.pk}", None,
                       dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "add a machine": ("post", lambda w, u: "/api/machines", lambda w, u: {"machine_type": "Four", "model": "T1"},
                      dict(admin=201, supervisor=201, technician=403, operator=403, anonymous=401)),
    "change a machine": ("patch", lambda w, u: f"/api/machines/{w.machine.pk}", lambda w, u: {"location": "Quai"},
                         dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "delete a machine": ("delete", lambda w, u: f"/api/machines/{w.spare_machine.pk}", None,
                         dict(admin=204, supervisor=204, technician=403, operator=403, anonymous=401)),
    # A status change goes through machines.services.machine_set_status (its history row).
    "change a machine's status": ("patch", lambda w, u: f"/api/machines/{w.machine.pk}",
                                  lambda w, u: {"status": "maintenance"},
                                  dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "read a machine's status history": ("get", lambda w, u: f"/api/machines/{w.machine.pk}/status-history", None,
                                        dict(admin=200, supervisor=200, technician=200, operator=200,
                                             anonymous=401)),
    "read a machine's figures": ("get", lambda w, u: f"/api/machines/{w.machine.pk}/figures", None,
                                 dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    # --- reports (reports.view_reports) -------------------------------------------
    "read the reports": ("get", lambda w, u: "/api/reports", None,
                         dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "export the tickets": ("get", lambda w, u: "/api/reports/tickets.csv", None,
                           dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    # --- users ----------------------------------------------------------------
    "list users": ("get", lambda w, u: "/api/users", None,
                   dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "list technicians": ("get", lambda w, u: "/api/users/technicians", None,
                         dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "read a user": ("get", lambda w, u: f"/api/users/{w.technician.pk}", None,
                    dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "create a user": ("post", lambda w, u: "/api/users",
                      lambda w, u: {"email": "new@igp.test", "password": "Un mot de passe solide 2025",
                                    "role": "technician"},
                      dict(admin=201, supervisor=201, technician=403, operator=403, anonymous=401)),
    "create an admin": ("post", lambda w, u: "/api/users",
                        lambda w, u: {"email": "boss@igp.test", "password": "Un mot de passe solide 2025",
                                      "role": "admin"},
                        dict(admin=201, supervisor=403, technician=403, operator=403, anonymous=401)),
    "change a user": ("patch", lambda w, u: f"/api/users/{w.technician2.pk}", lambda w, u: {"last_name": "Roy"},
                      dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "change an admin": ("patch", lambda w, u: f"/api/users/{w.other_admin.pk}", lambda w, u: {"last_name": "Roy"},
                        dict(admin=200, supervisor=403, technician=403, operator=403, anonymous=401)),
    "delete a user": ("delete", lambda w, u: f"/api/users/{w.leaver.pk}", None,
                      dict(admin=204, supervisor=204, technician=403, operator=403, anonymous=401)),
    # --- documentation: public, like the site's login page -----------------------
    "schema": ("get", lambda w, u: "/api/schema/", None,
               dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=200)),
    "docs": ("get", lambda w, u: "/api/docs/", None,
             dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=200)),
    # --- overdue alerts (notifications app, JWT endpoints) -----------------------
    "run the overdue check": ("post", lambda w, u: "/api/webhooks/check-overdue-tickets", None,
                              dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "read alert history": ("get", lambda w, u: f"/api/webhooks/notification-history/{w.quoted_ticket_id}", None,
                           dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
    "read own alert history": ("get", lambda w, u: f"/api/webhooks/notification-history/{w.quoted_own_ticket_id}",
                               None, dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    # --- the caller's own notifications (the bell) and preferences: nobody reads another's ---------
    "list own notifications": ("get", lambda w, u: "/api/notifications", None,
                               dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "read own notification": ("post", lambda w, u: f"/api/notifications/{w.notification_of(u)}/read", None,
                              dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "read another's notification": ("post", lambda w, u: f"/api/notifications/{w.others_notification.pk}/read",
                                    None, dict(admin=404, supervisor=404, technician=404, operator=404,
                                               anonymous=401)),
    "read all own notifications": ("post", lambda w, u: "/api/notifications/read-all", None,
                                   dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "read own preferences": ("get", lambda w, u: "/api/notifications/preferences", None,
                             dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "change own preferences": ("put", lambda w, u: "/api/notifications/preferences",
                               lambda w, u: {"quiet_start": "22:00", "quiet_end": "06:00",
                                             "choices": {"ticket_assigned": {"email": True}}},
                               dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    # --- team messaging: the public channel is everyone's; a private conversation (technician ↔ technician2)
    # is its two people's only: 404 to anyone else, administrators included (README, "Team messaging") -----
    "list own conversations": ("get", lambda w, u: "/api/conversations", None,
                               dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "start a private conversation": ("post", lambda w, u: "/api/conversations",
                                     lambda w, u: {"user": w.technician2.pk},
                                     dict(admin=201, supervisor=201, technician=200, operator=201, anonymous=401)),
    "read the public channel": ("get", lambda w, u: f"/api/conversations/{w.public.pk}/messages", None,
                                dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "write in the public channel": ("post", lambda w, u: f"/api/conversations/{w.public.pk}/messages",
                                    lambda w, u: {"content": "La ligne 2 redémarre à 14 h"},
                                    dict(admin=201, supervisor=201, technician=201, operator=201, anonymous=401)),
    "send a voice note to the public channel": ("multipart", lambda w, u: f"/api/conversations/{w.public.pk}/audio",
                                                lambda w, u: {"audio": SimpleUploadedFile("n.webm", webm(1.5))},
                                                dict(admin=201, supervisor=201, technician=201, operator=201,
                                                     anonymous=401)),
    "mark the public channel read": ("post", lambda w, u: f"/api/conversations/{w.public.pk}/read", None,
                                     dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "read a private conversation": ("get", lambda w, u: f"/api/conversations/{w.private.pk}/messages", None,
                                    dict(admin=404, supervisor=404, technician=200, operator=404, anonymous=401)),
    "write in a private conversation": ("post", lambda w, u: f"/api/conversations/{w.private.pk}/messages",
                                        lambda w, u: {"content": "bonjour"},
                                        dict(admin=404, supervisor=404, technician=201, operator=404, anonymous=401)),
    "play a private voice note": ("get", lambda w, u: f"/api/messages/{w.private_voice.pk}/audio", None,
                                  dict(admin=404, supervisor=404, technician=200, operator=404, anonymous=401)),
    "delete own message": ("delete", lambda w, u: f"/api/messages/{w.message_of(u)}", None,
                           dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "delete another's public message": ("delete", lambda w, u: f"/api/messages/{w.public_message.pk}", None,
                                        dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "delete the other person's private message": ("delete", lambda w, u: f"/api/messages/{w.private_voice.pk}", None,
                                                  dict(admin=404, supervisor=404, technician=403, operator=404,
                                                       anonymous=401)),
    # --- preventive plans (planning app): read by who sees every ticket, written by planning.manage_plans ---
    "list plans": ("get", lambda w, u: "/api/plans", None,
                   dict(admin=200, supervisor=200, technician=200, operator=403, anonymous=401)),
    "read a plan": ("get", lambda w, u: f"/api/plans/{w.plan.pk}", None,
                    dict(admin=200, supervisor=200, technician=200, operator=403, anonymous=401)),
    "create a plan": ("post", lambda w, u: "/api/plans",
                      lambda w, u: {"machine": w.machine.pk, "title": "Vidange", "every": 3, "unit": "months",
                                    "start_date": "2026-01-15", "checklist": ["Vidanger"]},
                      dict(admin=201, supervisor=201, technician=403, operator=403, anonymous=401)),
    "change a plan": ("patch", lambda w, u: f"/api/plans/{w.plan.pk}", lambda w, u: {"paused": True},
                      dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "delete a plan": ("delete", lambda w, u: f"/api/plans/{w.spare_plan.pk}", None,
                      dict(admin=204, supervisor=204, technician=403, operator=403, anonymous=401)),
    "generate a plan now": ("post", lambda w, u: f"/api/plans/{w.plan.pk}/generate", None,
                            dict(admin=200, supervisor=200, technician=403, operator=403, anonymous=401)),
    "read a plan's occurrences": ("get", lambda w, u: f"/api/plans/{w.plan.pk}/occurrences", None,
                                  dict(admin=200, supervisor=200, technician=200, operator=403, anonymous=401)),
    "list checklist items": ("get", lambda w, u: "/api/checklist-items", None,
                             dict(admin=200, supervisor=200, technician=200, operator=200, anonymous=401)),
    "tick a checklist item": ("patch", lambda w, u: f"/api/checklist-items/{w.checklist_item.pk}",
                              lambda w, u: {"done": True},
                              dict(admin=200, supervisor=200, technician=200, operator=404, anonymous=401)),
}


def _message_of(user, public):
    """The id of a public message of `user` (0 for a visitor)."""
    from messaging import services as messaging_services

    if user is None:
        return 0
    return messaging_services.message_send(conversation=public, sender=user, content="le mien").pk


def _notification_of(user, ticket):
    """The id of a notification of `user` (0 for a visitor: the call is refused before any lookup)."""
    from notifications.fanout import notify, ticket_params
    from notifications.models import Kind

    if user is None:
        return 0
    [notification] = notify(Kind.TICKET_ASSIGNED, recipients=[user], ticket=ticket, params=ticket_params(ticket),
                            key=f"matrix:{user.pk}")
    return notification.pk


@pytest.fixture
def world(admin_user, supervisor, technician, technician2, operator, machine, machine2, make_ticket, settings):
    settings.OVERDUE_WEBHOOK_URL = ""  # The overdue check must not try to reach anyone.
    ticket = make_ticket(reporter=supervisor, title="Courroie usée")
    photo = Media.objects.create(ticket=ticket, original_name="p.png", content_type="image/png",
                                 kind=Media.Kind.PHOTO, size=len(PNG), uploaded_by=technician2)
    photo.file.save("p.png", io.BytesIO(PNG))
    photo.thumbnail.save("p.webp", ContentFile(PNG))  # Served as it is: any image will do here.
    own_ticket = make_ticket(reporter=operator, title="Bruit anormal")
    own_photos = {
        who.role: Media.objects.create(ticket=own_ticket, original_name=f"{who.role}.png", content_type="image/png",
                                       kind=Media.Kind.PHOTO, size=len(PNG), uploaded_by=who)
        for who in (admin_user, supervisor, technician, operator)
    }
    from messaging import services as messaging_services
    from planning.models import ChecklistItem, Plan

    public = messaging_services.public_channel()
    private = messaging_services.private_conversation(user=technician, other=technician2)
    plan = Plan.objects.create(machine=machine, title="Graissage", start_date=ticket.created_at.date(),
                               created_by=supervisor)
    spare_plan = Plan.objects.create(machine=machine, title="Ancien plan", start_date=ticket.created_at.date(),
                                     created_by=supervisor)
    checklist_item = ChecklistItem.objects.create(ticket=ticket, label="Graisser")
    return SimpleNamespace(
        public=public, private=private,
        public_message=messaging_services.message_send(conversation=public, sender=technician2, content="hors sujet"),
        private_voice=messaging_services.message_send_audio(conversation=private, sender=technician2,
                                                            upload=SimpleUploadedFile("n.webm", webm(1.5))),
        message_of=lambda user: _message_of(user, public),
        plan=plan, spare_plan=spare_plan, checklist_item=checklist_item,
        admin=admin_user, supervisor=supervisor, technician=technician, technician2=technician2,
        operator=operator, machine=machine, spare_machine=machine2, ticket=ticket, photo=photo,
        own_ticket=own_ticket, quoted_own_ticket_id=quote(own_ticket.ticket_id), own_photos=own_photos,
        other_admin=make_user("berthe@igp.test", Role.ADMIN, "Berthe", "Admin"),
        leaver=make_user("depart@igp.test", Role.TECHNICIAN, "Denis", "Départ"),
        quoted_ticket_id=quote(ticket.ticket_id),
        notification_of=lambda user: _notification_of(user, ticket),
        others_notification=Notification.objects.get(pk=_notification_of(technician2, ticket)),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_role_gets_the_expected_answer_from_each_endpoint(world, endpoint, role):
    method, path, body, expected = ENDPOINTS[endpoint]
    user = getattr(world, role, None)
    client = APIClient()
    if user is not None and endpoint not in ("login", "refresh", "logout"):
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    data = body(world, user) if body else None
    if method == "multipart":
        response = client.post(path(world, user), data, format="multipart")
    else:
        response = getattr(client, method)(path(world, user), data, format="json" if data is not None else None)

    assert response.status_code == expected[role], (endpoint, role, response.content[:300])
    if response.status_code >= 400:
        body = response.json()
        assert body["detail"] and body["status"] == response.status_code


def test_the_matrix_covers_every_route_of_the_api():
    """A new endpoint without a row here fails this test."""
    from django.urls import get_resolver

    covered = {
        "api:login", "api:refresh", "api:logout", "api:me", "api:password-change", "api:media-download",
        "api:media-detail", "api:media-thumbnail",
        "api:schema", "api:docs", "api:ticket-list", "api:ticket-detail", "api:ticket-move", "api:ticket-assign",
        "api:ticket-schedule", "api:ticket-timeline", "api:ticket-comments", "api:ticket-media",
        "api:machine-list", "api:machine-detail", "api:machine-status-history", "api:machine-figures",
        "api:reports", "api:reports-tickets-csv", "api:user-list", "api:user-detail", "api:user-technicians",
        "api:not-found",
        "api:notification-list", "api:notification-read", "api:notification-read-all",
        "api:notification-preferences",
        "api:conversation-list", "api:conversation-detail", "api:conversation-messages", "api:conversation-audio",
        "api:conversation-read", "api:message-detail", "api:message-audio",
        "notifications:check-overdue-tickets", "notifications:notification-history",
        # Pages for people (session, not JWT), tested in tests/notifications/test_bell_pages.py.
        "notifications:inbox", "notifications:panel", "notifications:open", "notifications:read-all",
        "notifications:preferences", "notifications:preferences-token",
        # Not JWT endpoints: a shared secret (cron) and an open health check, tested by notifications.
        "notifications:cron-check-overdue", "notifications:health",
        "api:plan-list", "api:plan-detail", "api:plan-generate", "api:plan-occurrences",
        "api:checklist-item-list", "api:checklist-item-detail",
    }
    names = set()
    for pattern in get_resolver().url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace in ("api", "notifications"):
            names |= {f"{namespace}:{p.name}" for p in pattern.url_patterns if p.name}
    assert names - covered == set()



# Who sees the receiver's address and answer in the alert history (for Pabbly, Zapier
# or Make the URL is the secret): holders of notifications.view_webhooknotification only.
RECEIVER_FIELDS_SHOWN = dict(admin=True, supervisor=True, director=True, technician=False, operator=False)


@pytest.mark.parametrize("role", list(RECEIVER_FIELDS_SHOWN))
def test_the_alert_history_shows_the_webhook_url_only_to_those_allowed_to_see_alerts(world, role):
    from notifications.models import WebhookNotification

    WebhookNotification.objects.create(ticket=world.own_ticket, webhook_url="https://connect.pabbly.com/secret-123",
                                       response_status=200, response_body="ok secret-123", succeeded=True)
    user = getattr(world, role, None) or make_user(f"{role}@igp.test", role)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")

    response = client.get(f"/api/webhooks/notification-history/{world.quoted_own_ticket_id}")

    assert response.status_code == 200
    [row] = response.json()["notifications"]
    assert row["succeeded"] is True and row["response_status"] == 200
    assert ("webhook_url" in row) is RECEIVER_FIELDS_SHOWN[role]
    assert ("response_body" in row) is RECEIVER_FIELDS_SHOWN[role]
    assert ("secret-123" in response.content.decode()) is RECEIVER_FIELDS_SHOWN[role]
