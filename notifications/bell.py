"""What a person sees of their own notifications: the bell in the header, its list, marking read.

- `bell_state(request)` — the unread count and a fingerprint of the person's
  unread notifications, in ONE query, computed at most once per request (the
  header, the board's live version and the poll's bell all read the same
  object). It is the only cost the bell adds to a page: +1 query, whatever the
  number of notifications.
- `header_bell(request)` — the context processor: `bell` for the header,
  lazy, so a page that does not draw the header (a poll's 204, the API) pays
  nothing.
- `inbox(user, unread=False)` — the queryset of a person's notifications,
  newest first; the bell page and the API both list it (ticket joined, so
  showing 50 costs one query).
- `notification_open(user=, pk=, now=)` — the person opens one: it is read, and
  the answer is where to go. Someone else's notification is a 404 (`Http404`),
  never a hint that it exists.
- `notifications_read_all(user=, now=)` — "mark all read".

Marking read goes through h3's `services.notifications_mark_read`, so one
function writes `read_at`.
"""
from dataclasses import dataclass

from django.db.models import Func, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Notification
from .services import notifications_mark_read

BELL_LIMIT = 50


@dataclass(frozen=True)
class BellState:
    unread: int = 0
    newest_unread_id: int = 0
    # Unread team messages (messaging), for the header's Messages link: counted in the same query.
    messages: int = 0

    @property
    def fingerprint(self):
        """Changes when a notification arrives or is read: part of the live board's version."""
        return f"{self.unread}.{self.newest_unread_id}.{self.messages}"


def _scalar(rows, function, column="pk"):
    """One value computed over `rows` (COUNT, MAX) as a subquery, without a GROUP BY."""
    return Subquery(rows.order_by().annotate(v=Func(column, function=function)).values("v")[:1])


def bell_state_for(user):
    """(unread count, newest unread id, unread messages) of `user` in ONE query: three scalar
    subqueries over the person's own row, so the header costs the same with the messages."""
    from django.contrib.auth import get_user_model

    from messaging.models import Message

    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    facts = get_user_model().objects.filter(pk=user.pk).values(
        unread=_scalar(unread, "COUNT"),
        newest=_scalar(unread, "MAX"),
        messages=_scalar(Message.objects.unread_by(user), "COUNT"),
    ).first() or {}
    return BellState(unread=facts.get("unread") or 0, newest_unread_id=facts.get("newest") or 0,
                     messages=facts.get("messages") or 0)


def bell_state(request):
    """The signed-in person's `BellState`, read once per request (None for a visitor)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    state = getattr(request, "_bell_state", None)
    if state is None:
        state = request._bell_state = bell_state_for(user)
    return state


def header_bell(request):
    """Context processor: `bell` (a BellState, read only if the template uses it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": SimpleLazyObject(lambda: bell_state(request))}


def inbox(user, *, unread=False):
    """The person's notifications, newest first, with their ticket (one query for a page of them)."""
    rows = Notification.objects.for_user(user).select_related("ticket").order_by("-created_at", "-id")
    return rows.unread() if unread else rows


def recent(user, *, limit=BELL_LIMIT):
    """The last `limit` notifications of the bell. One query."""
    return list(inbox(user)[:limit])


def notification_open(*, user, pk, now=None):
    """The person opens one of their notifications: it is read; returns the page to go to.

    The stored link is a path of ours; anything else (a bad row, a future kind
    with a full address) sends the person to the bell rather than off-site.
    """
    notification = Notification.objects.for_user(user).filter(pk=pk).only("pk", "url", "read_at").first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notifications_mark_read(user=user, ids=[notification.pk], now=now or timezone.now())
    url = notification.get_absolute_url()
    if not url.startswith("/") or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        from django.urls import reverse

        return reverse("notifications:inbox")
    return url


def notifications_read_all(*, user, now=None):
    """ "Mark all read". Returns how many changed."""
    return notifications_mark_read(user=user, now=now or timezone.now())

