"""The team messaging over the API: what the mobile app relies on."""
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from messaging import services
from messaging.models import Message
from tests.messaging import samples
from tests.messaging.test_queries import fill


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def test_conversations_come_with_their_unread_counts(technician, technician2):
    private = services.private_conversation(user=technician, other=technician2)
    services.message_send(conversation=private, sender=technician, content="Tu as la clé ?")
    rows = api(technician2).get("/api/conversations").json()["results"]
    assert [(r["kind"], r["unread"]) for r in rows] == [("public", 0), ("private", 1)]
    assert rows[1]["other"]["id"] == technician.pk and rows[1]["last_message"] == "Tu as la clé ?"
    assert api(technician2).post(f"/api/conversations/{private.pk}/read").json()["unread"] == 0


def test_messages_page_by_cursor_newest_first_down_to_the_oldest(technician, technician2,
                                                                  django_assert_max_num_queries):
    private = services.private_conversation(user=technician, other=technician2)
    fill(private, technician, 120)
    client, seen, url = api(technician2), [], f"/api/conversations/{private.pk}/messages?page_size=50"
    while url:
        with django_assert_max_num_queries(6):
            body = client.get(url).json()
        seen += [m["content"] for m in body["results"]]
        url = body["next"]
    assert seen == [f"message {i}" for i in reversed(range(120))]


def test_a_voice_note_posted_by_the_app_is_measured_and_playable(technician, technician2):
    private = services.private_conversation(user=technician, other=technician2)
    sent = api(technician).post(f"/api/conversations/{private.pk}/audio",
                                {"audio": SimpleUploadedFile("n.webm", samples.webm(3)), "duration": 1},
                                format="multipart")
    assert sent.status_code == 201 and sent.json()["audio_duration"] == 3
    played = api(technician2).get(sent.json()["audio_url"], HTTP_RANGE="bytes=0-99")
    assert played.status_code == 206 and len(played.content) == 100


def test_an_html_file_renamed_webm_is_a_400_with_the_reason(technician, technician2):
    private = services.private_conversation(user=technician, other=technician2)
    answer = api(technician).post(f"/api/conversations/{private.pk}/audio",
                                  {"audio": SimpleUploadedFile("n.webm", samples.HTML, "audio/webm")},
                                  format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400
    assert answer.json()["errors"]["audio"] == ["This file is not an audio recording."]
    assert not Message.objects.exists()


def test_deleting_answers_the_trace(technician, technician2):
    private = services.private_conversation(user=technician, other=technician2)
    message = services.message_send(conversation=private, sender=technician, content="oups")
    body = api(technician).delete(f"/api/messages/{message.pk}").json()
    assert body["deleted"] is True and body["content"] == ""
    again = api(technician).delete(f"/api/messages/{message.pk}")
    assert again.status_code == 400 and again.json()["errors"]["non_field_errors"] == ["Ce message est déjà supprimé."]
