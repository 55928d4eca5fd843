"""The team messaging pages: the list of conversations, a conversation, sending, deleting, a voice note.

Thin, like web/views.py: they call `messaging.services` (which checks the rights
again) and `messaging.selectors`. Every action is a plain form post without
JavaScript; htmx only swaps the page in place. A conversation the person may
not open is a 404, whoever he is (a private one is its two people's only).

The open conversation keeps itself current the way the board does: a hidden
poller asks every MESSAGING_POLL_SECONDS with the version it shows
(X-Messages-Version); the answer is an empty 204 (one aggregate query) or the
new messages, the deletions since, and the header's count, swapped in place.
"""
from datetime import datetime

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications.bell import bell_state
from web.views import _poll_response

from . import policies, selectors, services
from .downloads import audio_response
from .models import Conversation

POLL_HEADER = "X-Messages-Version"
DRAWN_AT_HEADER = "X-Messages-Drawn-At"


def _conversation(request, pk):
    return get_object_or_404(Conversation.objects.for_user(request.user).select_related("first", "second"), pk=pk)


def _errors(exc):
    if isinstance(exc, PermissionDenied):
        return [str(exc) or _("Action non permise.")]
    return [m for m in exc.messages]


@login_required
@require_GET
def inbox(request):
    if request.user.has_perm("messaging.read_public_channel"):
        services.public_channel()
    conversations = list(selectors.conversations_for(request.user))
    for c in conversations:
        c.other_person = c.other(request.user)
    can_start = policies.can_start_private(request.user)
    return render(request, "messaging/inbox.html", {
        "conversations": conversations,
        "can_start": can_start,
        "people": selectors.people_to_write_to(request.user) if can_start else [],
    })


@login_required
@require_POST
def start(request):
    other = get_user_model().objects.filter(pk=request.POST.get("person") or 0, is_active=True).first()
    try:
        conversation = services.private_conversation(user=request.user, other=other)
    except (ValidationError, PermissionDenied) as exc:
        for text in _errors(exc):
            flash.error(request, text)
        return redirect("messaging:inbox")
    return redirect(conversation)


def _context(request, conversation, page, *, now):
    return {
        "conversation": conversation,
        "other_person": conversation.other(request.user),
        "page": page,
        "linkable": selectors.linkable_tickets(request.user, page.messages),
        "can_send": policies.can_send(request.user, conversation),
        "can_send_audio": policies.can_send_audio(request.user, conversation),
        "can_delete_any": request.user.has_perm("messaging.delete_any_message"),
        "poll_seconds": settings.MESSAGING_POLL_SECONDS,
        "drawn_at": now.isoformat(),
        "audio_max_seconds": settings.MESSAGING_AUDIO_MAX_SECONDS,
        "audio_max_bytes": settings.MESSAGING_AUDIO_MAX_BYTES,
        "max_length": settings.MESSAGING_MAX_TEXT_LENGTH,
    }


@login_required
@require_GET
def conversation(request, pk):
    now = timezone.now()
    conversation = _conversation(request, pk)
    version = selectors.version(conversation)
    if POLL_HEADER in request.headers:
        return _poll(request, conversation, version, now=now)
    before = request.GET.get("avant", "")
    page = selectors.message_page(conversation, before=int(before) if before.isdigit() else None)
    if before and request.headers.get("HX-Target") == "older-messages":
        # Older messages, loaded when the person scrolls up: only them, above what he has.
        return render(request, "messaging/_older.html", _context(request, conversation, page, now=now))
    services.conversation_mark_read(conversation=conversation, user=request.user, now=now)
    context = _context(request, conversation, page, now=now)
    context.update(version=version, newest_id=page.newest_id, older_link=bool(before))
    return render(request, "messaging/conversation.html", context)


def _poll(request, conversation, version, *, now):
    if request.headers[POLL_HEADER] == version:
        return _poll_response(HttpResponse(status=204))
    after = request.GET.get("apres", "")
    arrived = selectors.messages_after(conversation, after=int(after) if after.isdigit() else 0)
    try:
        since = datetime.fromisoformat(request.headers.get(DRAWN_AT_HEADER, ""))
    except ValueError:
        since = None
    deleted = selectors.deleted_since(conversation, since=since) if since and timezone.is_aware(since) else []
    if arrived:
        services.conversation_mark_read(conversation=conversation, user=request.user, now=now)
    context = _context(request, conversation, selectors.Page(messages=arrived, has_older=False), now=now)
    context["linkable"] = selectors.linkable_tickets(request.user, arrived)
    context.update(version=version, arrived=arrived, deleted=[m for m in deleted if m not in arrived],
                   newest_id=arrived[-1].pk if arrived else (int(after) if after.isdigit() else 0))
    request._bell_state = None  # Read again: the poll has just marked messages read.
    context["bell"] = bell_state(request)
    return _poll_response(render(request, "messaging/_poll.html", context))


def _answer(request, conversation, errors=None, *, status=200):
    """After a send or a delete: htmx asks the poller for what changed; a plain form goes back to the page."""
    if request.headers.get("HX-Request"):
        response = render(request, "messaging/_composer_errors.html", {"errors": errors or []}, status=status)
        if not errors:
            response["HX-Trigger"] = "messages-refresh"
        return response
    for text in errors or []:
        flash.error(request, text)
    return redirect(conversation)


@login_required
@require_POST
def send(request, pk):
    conversation = _conversation(request, pk)
    try:
        services.message_send(conversation=conversation, sender=request.user, content=request.POST.get("content"))
    except (ValidationError, PermissionDenied) as exc:
        return _answer(request, conversation, _errors(exc), status=403 if isinstance(exc, PermissionDenied) else 400)
    return _answer(request, conversation)


@login_required
@require_POST
def send_audio(request, pk):
    """A recording from the page's recorder (static/js/messaging.js): JSON both ways, for its fetch()."""
    conversation = _conversation(request, pk)
    try:
        message = services.message_send_audio(conversation=conversation, sender=request.user,
                                              upload=request.FILES.get("audio"),
                                              duration=request.POST.get("duration"))
    except PermissionDenied as exc:
        return JsonResponse({"errors": _errors(exc)}, status=403)
    except ValidationError as exc:
        code = getattr(exc, "error_dict", {}).get("audio", [exc])[0].code
        return JsonResponse({"errors": _errors(exc), "code": code}, status=413 if code == "too_large" else 400)
    return JsonResponse({"id": message.pk, "duration": message.audio_duration}, status=201)


@login_required
@require_POST
def delete(request, pk, message_id):
    conversation = _conversation(request, pk)
    message = get_object_or_404(conversation.messages.select_related("sender"), pk=message_id)
    try:
        services.message_delete(message=message, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _answer(request, conversation, _errors(exc), status=403 if isinstance(exc, PermissionDenied) else 400)
    return _answer(request, conversation)


@login_required
@require_GET
def audio(request, pk, message_id):
    """A voice note, to those who may open its conversation (404 to anyone else, like the page)."""
    conversation = _conversation(request, pk)
    return audio_response(request, get_object_or_404(conversation.messages, pk=message_id))
