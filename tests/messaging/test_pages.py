"""The messaging pages as a person uses them (Django's test client; the browser tests are apart)."""
import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Message

from . import samples
from .conftest import upload


def url(conversation, name="conversation", **extra):
    return reverse(f"messaging:{name}", kwargs={"pk": conversation.pk, **extra})


def test_the_list_shows_the_public_channel_and_my_conversations_with_unread(signed_in, technician, technician2,
                                                                            private):
    services.message_send(conversation=private, sender=technician, content="Tu passes au four ?")
    page = signed_in(technician2).get(reverse("messaging:inbox")).content.decode()
    assert "Canal public" in page
    assert "Tu passes au four ?" in page
    assert 'class="conv conv-unread"' in page
    assert "1 non lu" in page  # The header's Messages link says it too.


def test_opening_a_conversation_shows_it_oldest_first_and_marks_it_read(signed_in, technician, technician2, private):
    for text in ("premier", "deuxième"):
        services.message_send(conversation=private, sender=technician, content=text)
    page = signed_in(technician2).get(url(private)).content.decode()
    assert page.index("premier") < page.index("deuxième")
    assert not Message.objects.unread_by(technician2).exists()


def test_sending_without_javascript_comes_back_to_the_conversation(signed_in, technician, private):
    response = signed_in(technician).post(url(private, "send"), {"content": "pièce commandée"})
    assert response.status_code == 302 and response.url == url(private)
    assert Message.objects.get().content == "pièce commandée"


def test_sending_with_htmx_asks_the_page_to_refresh_its_messages(signed_in, technician, private):
    response = signed_in(technician).post(url(private, "send"), {"content": "ok"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "messages-refresh"
    refused = signed_in(technician).post(url(private, "send"), {"content": " "}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "Le message est vide." in refused.content.decode()


def test_the_poll_answers_204_until_something_changes(signed_in, technician, technician2, private):
    services.message_send(conversation=private, sender=technician, content="avant")
    client = signed_in(technician2)
    page = client.get(url(private))
    version = page.context["version"]
    newest = page.context["newest_id"]
    headers = {"HTTP_X_MESSAGES_VERSION": version, "HTTP_HX_REQUEST": "true"}
    assert client.get(url(private) + f"?apres={newest}", **headers).status_code == 204
    services.message_send(conversation=private, sender=technician, content="nouveau")
    answer = client.get(url(private) + f"?apres={newest}", **headers).content.decode()
    assert "nouveau" in answer and "avant" not in answer
    assert 'hx-swap-oob="beforeend:#message-list"' in answer
    assert not Message.objects.unread_by(technician2).exists()  # He has it on screen.


def test_a_ticket_number_is_a_link_only_for_those_who_may_see_the_ticket(signed_in, technician, operator, operator2,
                                                                         make_ticket, public):
    ticket = make_ticket(reporter=operator2)
    services.message_send(conversation=public, sender=technician, content=f"Voir {ticket.ticket_id} svp")
    link = f'<a href="{ticket.get_absolute_url()}">{ticket.ticket_id}</a>'
    assert link in signed_in(technician).get(url(public)).content.decode()
    shown = signed_in(operator).get(url(public)).content.decode()  # An operator sees only his own tickets.
    assert ticket.ticket_id in shown and link not in shown


@pytest.mark.parametrize("who", ["supervisor", "admin_user", "operator"])
def test_an_outsider_gets_404_on_a_private_conversation_and_its_recording(request, signed_in, technician, private,
                                                                          voice, who):
    message = services.message_send_audio(conversation=private, sender=technician, upload=voice(2))
    client = signed_in(request.getfixturevalue(who))
    assert client.get(url(private)).status_code == 404
    assert client.get(url(private, "audio", message_id=message.pk)).status_code == 404
    assert client.post(url(private, "send"), {"content": "x"}).status_code == 404
    assert client.post(url(private, "delete", message_id=message.pk)).status_code == 404


def test_a_recording_is_served_whole_and_in_ranges_to_the_two_people(signed_in, technician, technician2, private,
                                                                     voice):
    message = services.message_send_audio(conversation=private, sender=technician, upload=voice(2))
    data = message.audio_file.open("rb").read()
    client = signed_in(technician2)
    whole = client.get(url(private, "audio", message_id=message.pk))
    assert whole.status_code == 200 and whole.content == data and whole["Content-Type"] == "audio/webm"
    assert whole["Accept-Ranges"] == "bytes"
    piece = client.get(url(private, "audio", message_id=message.pk), HTTP_RANGE="bytes=10-19")
    assert piece.status_code == 206 and piece.content == data[10:20]
    assert piece["Content-Range"] == f"bytes 10-19/{len(data)}"
    tail = client.get(url(private, "audio", message_id=message.pk), HTTP_RANGE="bytes=-5")
    assert tail.status_code == 206 and tail.content == data[-5:]
    beyond = client.get(url(private, "audio", message_id=message.pk), HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"


def test_the_recorder_posts_a_voice_note_and_gets_french_json_errors(signed_in, technician, private, voice):
    client = signed_in(technician)
    sent = client.post(url(private, "send-audio"), {"audio": voice(2), "duration": "2.1"})
    assert sent.status_code == 201 and sent.json()["duration"] == 2
    refused = client.post(url(private, "send-audio"), {"audio": upload(samples.HTML)})
    assert refused.status_code == 400
    assert refused.json()["errors"] == ["Ce fichier n'est pas un enregistrement audio."]


def test_a_deleted_message_leaves_a_trace_on_the_page(signed_in, technician, technician2, private):
    message = services.message_send(conversation=private, sender=technician, content="à effacer")
    signed_in(technician).post(url(private, "delete", message_id=message.pk))
    page = signed_in(technician2).get(url(private)).content.decode()
    assert "Message supprimé" in page and "à effacer" not in page


def test_the_pages_speak_english(signed_in, technician, private):
    client = signed_in(technician)
    client.cookies["django_language"] = "en"
    page = client.get(url(private), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Type a message" in page and "Voice message" in page
