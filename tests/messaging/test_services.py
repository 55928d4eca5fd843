"""The one door: sending, reading, deleting, voice notes; what the recipient and the others notice."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from messaging import services
from messaging.models import Conversation, Message
from notifications.models import Kind, Notification

from . import samples
from .conftest import upload


def test_a_private_conversation_is_one_per_pair_whoever_starts_it(technician, technician2, private):
    assert services.private_conversation(user=technician2, other=technician) == private
    assert Conversation.objects.filter(kind="private").count() == 1


def test_a_private_message_reaches_the_recipient_bell_through_the_outbox(technician, technician2, private):
    message = services.message_send(conversation=private, sender=technician, content="Tu as la clé du compresseur ?")
    assert message.recipient == technician2
    notification = Notification.objects.get(recipient=technician2)
    assert notification.kind == Kind.MESSAGE_RECEIVED
    assert notification.url == private.get_absolute_url()
    assert "clé du compresseur" in notification.body


def test_a_public_message_notifies_nobody_but_counts_unread_for_the_team(technician, technician2, supervisor, public):
    services.message_send(conversation=public, sender=technician, content="La ligne 2 redémarre à 14 h")
    assert not Notification.objects.exists()
    assert Message.objects.unread_by(technician2).count() == 1
    assert Message.objects.unread_by(supervisor).count() == 1
    assert Message.objects.unread_by(technician).count() == 0  # His own.


def test_reading_a_conversation_clears_its_unread_and_its_bell_notification(technician, technician2, private):
    services.message_send(conversation=private, sender=technician, content="un")
    services.message_send(conversation=private, sender=technician, content="deux")
    assert Message.objects.unread_by(technician2).count() == 2
    services.conversation_mark_read(conversation=private, user=technician2)
    assert Message.objects.unread_by(technician2).count() == 0
    assert Message.objects.filter(is_read=True, read_at__isnull=False).count() == 2
    assert not Notification.objects.filter(recipient=technician2, read_at__isnull=True).exists()


def test_reading_the_public_channel_is_per_person(technician, technician2, supervisor, public):
    services.message_send(conversation=public, sender=technician, content="inventaire vendredi")
    services.conversation_mark_read(conversation=public, user=technician2)
    assert Message.objects.unread_by(technician2).count() == 0
    assert Message.objects.unread_by(supervisor).count() == 1


def test_an_empty_or_too_long_message_is_refused_in_french(technician, private, settings):
    with pytest.raises(ValidationError, match="vide"):
        services.message_send(conversation=private, sender=technician, content="   ")
    settings.MESSAGING_MAX_TEXT_LENGTH = 10
    with pytest.raises(ValidationError, match="trop long"):
        services.message_send(conversation=private, sender=technician, content="x" * 11)
    assert not Message.objects.exists()


def test_nobody_writes_in_a_conversation_of_others(supervisor, admin_user, private):
    for outsider in (supervisor, admin_user):
        with pytest.raises(PermissionDenied):
            services.message_send(conversation=private, sender=outsider, content="je lis par-dessus l'épaule")


def test_a_viewer_reads_the_public_channel_but_does_not_write(viewer, technician, public):
    assert Conversation.objects.for_user(viewer).filter(pk=public.pk).exists()
    with pytest.raises(PermissionDenied):
        services.message_send(conversation=public, sender=viewer, content="bonjour")
    with pytest.raises(PermissionDenied):
        services.private_conversation(user=viewer, other=technician)


def test_the_author_deletes_his_message_and_a_trace_stays(technician, private):
    message = services.message_send(conversation=private, sender=technician, content="oups, mauvais numéro")
    services.message_delete(message=message, by=technician)
    message.refresh_from_db()
    assert message.is_deleted and message.deleted_by == technician and message.content == ""
    assert private.messages.count() == 1


def test_a_deleted_private_message_is_no_longer_quoted_by_the_bell(technician, technician2, private):
    message = services.message_send(conversation=private, sender=technician, content="le code du cadenas : 4711")
    services.message_delete(message=message, by=technician)
    notification = Notification.objects.get(recipient=technician2)
    assert "4711" not in notification.body and notification.body == "Message supprimé"


def test_only_a_supervisor_deletes_the_messages_of_others(technician, technician2, supervisor, public):
    message = services.message_send(conversation=public, sender=technician, content="hors sujet")
    with pytest.raises(PermissionDenied):
        services.message_delete(message=message, by=technician2)
    services.message_delete(message=message, by=supervisor)
    assert Message.objects.get().deleted_by == supervisor


def test_a_supervisor_cannot_delete_in_a_private_conversation_he_cannot_see(technician, supervisor, private):
    message = services.message_send(conversation=private, sender=technician, content="entre nous")
    with pytest.raises(PermissionDenied):
        services.message_delete(message=message, by=supervisor)


def test_a_voice_note_is_stored_with_its_measured_length(technician, technician2, private, voice):
    message = services.message_send_audio(conversation=private, sender=technician, upload=voice(3.0), duration="1")
    assert message.audio_content_type == "audio/webm"
    assert message.audio_duration == 3  # From the recording itself, not from the browser's figure.
    assert message.audio_file.name.startswith("messages/audio/") and message.audio_file.size == message.audio_size
    assert Notification.objects.get(recipient=technician2).kind == Kind.MESSAGE_RECEIVED


def test_a_voice_note_from_firefox_ogg_is_accepted(technician, private):
    message = services.message_send_audio(conversation=private, sender=technician,
                                          upload=upload(samples.ogg(4), "note.ogg", "audio/ogg"))
    assert (message.audio_content_type, message.audio_duration) == ("audio/ogg", 4)


@pytest.mark.parametrize("data", [samples.HTML, samples.webm(2, video=True), b"\x00" * 500],
                         ids=["html-renamed-webm", "a-video", "noise"])
def test_what_is_not_a_recording_is_refused_whatever_its_name(technician, private, data):
    with pytest.raises(ValidationError, match="pas un enregistrement audio"):
        services.message_send_audio(conversation=private, sender=technician, upload=upload(data))
    assert not Message.objects.exists()


def test_an_over_long_recording_is_refused_with_its_length(technician, private, voice, settings):
    settings.MESSAGING_AUDIO_MAX_SECONDS = 60
    with pytest.raises(ValidationError, match="trop long : 75 s, 60 s au plus"):
        services.message_send_audio(conversation=private, sender=technician, upload=voice(75))
    assert not Message.objects.exists()


def test_a_browser_figure_beyond_the_cap_also_refuses(technician, private, settings):
    settings.MESSAGING_AUDIO_MAX_SECONDS = 60
    with pytest.raises(ValidationError, match="trop long"):
        services.message_send_audio(conversation=private, sender=technician, duration="90",
                                    upload=upload(b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb" * 300, "n.mp3"))


def test_a_too_heavy_recording_is_refused_before_it_is_read(technician, private, voice, settings):
    settings.MESSAGING_AUDIO_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="trop volumineux"):
        services.message_send_audio(conversation=private, sender=technician, upload=voice(2))


def test_deleting_a_voice_note_removes_the_recording_from_the_storage(technician, private, voice,
                                                                      django_capture_on_commit_callbacks):
    message = services.message_send_audio(conversation=private, sender=technician, upload=voice(2))
    storage, name = message.audio_file.storage, message.audio_file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.message_delete(message=message, by=technician)
    assert not storage.exists(name)
    assert Message.objects.get().audio_file.name == ""
