"""The one door for every change to the team messaging: pages, API, import and admin call these.

- `public_channel()` / `private_conversation(user=, other=)` — the conversation,
  created the first time (the unique constraints make two concurrent firsts one).
- `message_send(conversation=, sender=, content=, now=)` — a text message.
- `message_send_audio(conversation=, sender=, upload=, duration=, now=)` — a voice
  note, checked from its bytes (`messaging.audio`) against MESSAGING_AUDIO_MAX_BYTES
  and MESSAGING_AUDIO_MAX_SECONDS before anything is stored.
- `conversation_mark_read(conversation=, user=, now=)` — everything shown is read.
- `message_delete(message=, by=, now=)` — the row stays as a "message supprimé"
  trace; its text and recording go (the recording once the deletion is committed).

A private message tells its recipient through `notifications.events.message_received`
(bell, push, e-mail through the outbox), in the same transaction as the message.
Every refusal is a PermissionDenied or ValidationError in the reader's language.
"""
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications import events

from . import audio, policies
from .models import Conversation, Message, ReadMark

# Stored in the notification (shown in the recipient's language by the bell: the excerpt is plain text).
AUDIO_EXCERPT = gettext_noop("🎤 Message vocal")


def public_channel():
    conversation = Conversation.objects.filter(kind=Conversation.Kind.PUBLIC).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            return Conversation.objects.create(kind=Conversation.Kind.PUBLIC)
    except IntegrityError:
        return Conversation.objects.get(kind=Conversation.Kind.PUBLIC)


def private_conversation(*, user, other, create=True):
    """The conversation of `user` and `other`. Starting one needs `send_message`; an existing one is
    simply found (a viewer may read what was sent to him)."""
    if other is None or other.pk == user.pk:
        raise ValidationError({"other": _("Choisissez une autre personne.")}, code="invalid")
    first, second = Conversation.pair(user, other)
    conversation = Conversation.objects.filter(first=first, second=second).first()
    if conversation is not None or not create:
        return conversation
    if not policies.can_start_private(user):
        raise PermissionDenied(_("Votre rôle ne permet pas d'envoyer des messages."))
    if not other.is_active:
        raise ValidationError({"other": _("Ce compte est désactivé.")}, code="inactive")
    try:
        with transaction.atomic():
            return Conversation.objects.create(kind=Conversation.Kind.PRIVATE, first=first, second=second)
    except IntegrityError:
        return Conversation.objects.get(first=first, second=second)


def message_send(*, conversation, sender, content, now=None):
    if not policies.can_send(sender, conversation):
        raise PermissionDenied(_("Votre rôle ne permet pas d'écrire dans cette conversation."))
    content = (content or "").strip()
    if not content:
        raise ValidationError({"content": _("Le message est vide.")}, code="required")
    most = settings.MESSAGING_MAX_TEXT_LENGTH
    if len(content) > most:
        raise ValidationError({"content": _("Message trop long : %(n)s caractères, %(max)s au plus.")
                               % {"n": len(content), "max": most}}, code="too_long")
    with transaction.atomic():
        message = Message(conversation=conversation, sender=sender, recipient=conversation.other(sender),
                          content=content, created_at=now or timezone.now())
        return _finish(message, conversation, sender)


def audio_check(upload, *, duration=None):
    """(AudioFacts, seconds) of a voice note, or a ValidationError saying why it is refused.

    The size is checked before a byte is read; the type and length come from the content
    (`messaging.audio`). The recorder's own `duration` counts only where the container does
    not say how long it plays; the longer of the two is kept, so a wrong figure cannot sneak
    an over-long recording past the cap."""
    cap = settings.MESSAGING_AUDIO_MAX_BYTES
    if upload is None or not upload.size:
        raise ValidationError({"audio": _("L'enregistrement est vide.")}, code="required")
    if upload.size > cap:
        raise ValidationError({"audio": _("Enregistrement trop volumineux : %(size)s, maximum %(cap)s.") % {
            "size": filesizeformat(upload.size), "cap": filesizeformat(cap)}}, code="too_large")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    facts = audio.inspect(data)
    if facts is None:
        raise ValidationError({"audio": _("Ce fichier n'est pas un enregistrement audio.")}, code="not_audio")
    reported = None
    try:
        reported = float(duration) if duration not in (None, "") else None
    except (TypeError, ValueError):
        reported = None
    if reported is not None and not (0 <= reported < 86400):
        reported = None
    seconds = max(x for x in (facts.duration, reported, 0) if x is not None)
    most = settings.MESSAGING_AUDIO_MAX_SECONDS
    if seconds > most + 0.5:
        raise ValidationError({"audio": _("Enregistrement trop long : %(n)s s, %(max)s s au plus.") % {
            "n": math.ceil(seconds), "max": most}}, code="too_long")
    return facts, data, max(1, round(seconds))


def message_send_audio(*, conversation, sender, upload, duration=None, now=None):
    if not policies.can_send_audio(sender, conversation):
        raise PermissionDenied(_("Votre rôle ne permet pas d'envoyer des messages vocaux ici."))
    facts, data, seconds = audio_check(upload, duration=duration)
    content = ContentFile(data, name=f"voice{facts.extension}")
    with transaction.atomic():
        message = Message(conversation=conversation, sender=sender, recipient=conversation.other(sender),
                          audio_content_type=facts.content_type, audio_duration=seconds, audio_size=len(data),
                          created_at=now or timezone.now())
        message.audio_file.save(content.name, content, save=False)
        name = message.audio_file.name
        try:
            return _finish(message, conversation, sender)
        except BaseException:
            message.audio_file.storage.delete(name)
            raise


def _finish(message, conversation, sender):
    """Save the message, move its conversation to the top of the lists, tell the recipient."""
    message.save()
    Conversation.objects.filter(pk=conversation.pk).filter(
        Q(last_message_at__isnull=True) | Q(last_message_at__lt=message.created_at)
    ).update(last_message_at=message.created_at)
    recipient = message.recipient
    if recipient is not None:
        excerpt = message.content if not message.is_audio else _(AUDIO_EXCERPT)
        events.message_received(sender=sender, recipient=recipient, excerpt=excerpt,
                                url=conversation.get_absolute_url(), key=f"message:{message.pk}",
                                now=message.created_at)
    return message


def conversation_mark_read(*, conversation, user, now=None):
    """Everything in the conversation up to `now` is read by `user`; returns whether anything changed.

    Private: his received messages get `is_read`/`read_at` (and their bell notifications are read
    too: the message was seen). Public channel: his read mark moves forward, never back.
    """
    from notifications.models import Kind, Notification
    from notifications.services import notifications_mark_read

    now = now or timezone.now()
    if not policies.can_open(user, conversation):
        raise PermissionDenied(_("Vous ne pouvez pas lire cette conversation."))
    if not conversation.is_public:
        changed = Message.objects.filter(conversation=conversation, recipient=user, is_read=False,
                                         created_at__lte=now).update(is_read=True, read_at=now)
        if changed:
            ids = list(Notification.objects.filter(recipient=user, kind=Kind.MESSAGE_RECEIVED, read_at__isnull=True,
                                                   url=conversation.get_absolute_url()).values_list("pk", flat=True))
            if ids:
                notifications_mark_read(user=user, ids=ids, now=now)
        return bool(changed)
    mark, created = ReadMark.objects.get_or_create(conversation=conversation, user=user,
                                                   defaults={"read_until": now})
    if created:
        return True
    return bool(ReadMark.objects.filter(pk=mark.pk, read_until__lt=now).update(read_until=now))


def message_delete(*, message, by, now=None):
    """Its author, or a holder of `delete_any_message`, deletes a message: a trace stays in the
    conversation ("message supprimé", who and when); the text is emptied and the recording
    removed from the storage once the deletion is committed (a rollback keeps it)."""
    if not policies.can_delete(by, message):
        if message.is_deleted:
            raise ValidationError(_("Ce message est déjà supprimé."), code="deleted")
        raise PermissionDenied(_("Vous ne pouvez supprimer que vos propres messages."))
    name = message.audio_file.name if message.audio_file else ""
    storage = message.audio_file.storage
    with transaction.atomic():
        changed = Message.objects.filter(pk=message.pk, deleted_at__isnull=True).update(
            deleted_at=now or timezone.now(), deleted_by=by, content="", audio_file="")
        if not changed:
            raise ValidationError(_("Ce message est déjà supprimé."), code="deleted")
        if name:
            transaction.on_commit(lambda: storage.delete(name))
        _forget_in_notifications(message)
    message.refresh_from_db()
    return message


def _forget_in_notifications(message):
    """The recipient's bell (and any push or e-mail not sent yet, built from the same row) no longer
    quotes a deleted message: its excerpt becomes « Message supprimé »."""
    from notifications.models import Kind, Notification

    for notification in Notification.objects.filter(kind=Kind.MESSAGE_RECEIVED,
                                                    key=f"{Kind.MESSAGE_RECEIVED}:message:{message.pk}"):
        notification.params = {**notification.params, "excerpt": _("Message supprimé")}
        notification.save(update_fields=["params"])
