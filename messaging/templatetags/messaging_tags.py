"""A message's text as the page shows it: escaped, line breaks kept, and each ticket number the reader
may open as a link to the ticket (`linkable` comes from `selectors.linkable_tickets`, one query a page)."""
from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from ..selectors import TICKET_NUMBER

register = template.Library()


@register.simple_tag
def message_text(message, linkable):
    text = message.content or ""
    parts, last = [], 0
    for match in TICKET_NUMBER.finditer(text):
        number = match.group(0).upper()
        if number not in linkable:
            continue
        parts.append(escape(text[last:match.start()]))
        parts.append(format_html('<a href="{}">{}</a>', reverse("web:ticket-detail", kwargs={"ticket_id": number}),
                                 match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))


@register.filter
def duration(seconds):
    """0:42, 1:05: how a voice note's length is read."""
    if seconds in (None, ""):
        return ""
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"
