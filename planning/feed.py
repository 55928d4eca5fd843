"""A person's private iCalendar feed (RFC 5545, built with the `icalendar` package).

What is his: the open tickets assigned to him or to the whole team, scheduled from 30 days ago
on, and the upcoming dates of the plans he (or the team) is assigned to, for 90 days. Each event
has a stable UID, so a phone updates an event when a ticket moves instead of adding another.
"""
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from tickets.models import Ticket

from .models import Plan

DURATION = timedelta(hours=1)


def build(user, *, now):
    cal = Calendar()
    cal.add("prodid", "-//IGP Maintenance//planning//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("IGP Maintenance — %(name)s") % {"name": str(user)})
    mine = Q(assigned_to=user) | Q(assigned_to_team=True)
    tickets = (Ticket.objects.open().filter(mine, scheduled_date__gte=now - timedelta(days=30))
               .select_related("machine").order_by("scheduled_date"))
    host = settings.SITE_URL.split("://")[-1].strip("/") or "igp"
    for ticket in tickets:
        event = Event()
        event.add("uid", f"ticket-{ticket.pk}@{host}")
        event.add("summary", f"{ticket.title} — {ticket.machine}")
        event.add("dtstart", ticket.scheduled_date)
        event.add("dtend", ticket.scheduled_date + DURATION)
        event.add("dtstamp", now)
        event.add("description", f"{ticket.ticket_id}\n{ticket.description}".strip())
        event.add("url", settings.SITE_URL + ticket.get_absolute_url())
        cal.add_component(event)
    today = timezone.localdate(now)
    for plan in Plan.objects.active().filter(mine).select_related("machine"):
        for day in plan.upcoming(today, today + timedelta(days=90)):
            start = plan.moment(day)
            event = Event()
            event.add("uid", f"plan-{plan.pk}-{day:%Y%m%d}@{host}")
            event.add("summary", _("Prévu : %(title)s — %(machine)s") % {"title": plan.title,
                                                                        "machine": str(plan.machine)})
            event.add("dtstart", start)
            event.add("dtend", start + DURATION)
            event.add("dtstamp", now)
            event.add("status", "TENTATIVE")
            cal.add_component(event)
    return cal.to_ical()
