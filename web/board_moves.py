"""Moving a card between the board's columns: drag and drop, long-press on a phone, the keyboard menu.

The browser only offers what the server would accept, and the server still judges:

- `settings_for(user)` is what `static/js/board-moves.js` reads (a `json_script` block on the board): the
  columns a card of each status may go to, from `tickets.policies` (hence `Ticket.TRANSITIONS`), and every
  sentence it may show, already translated. Someone who may not move tickets gets `None`: no drag handle,
  no "Déplacer vers…" button, and the two scripts are not even loaded.
- a drop posts to the ticket page's own move address (`web:ticket-move`, the one door:
  `services.ticket_move`) asking for JSON; `answer(...)` turns the service's verdict into a small JSON body
  with the person's message and the status code a script can branch on. The form on the ticket page
  (no JavaScript, htmx) keeps its redirect and flash message.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _

from tickets import policies, services
from tickets.models import Ticket

from .selectors import BOARD_STATUSES


def wants_json(request):
    """The board's script asks `Accept: application/json`; forms and htmx ask for HTML."""
    return request.accepts("application/json") and not request.accepts("text/html")


def settings_for(user, statuses=BOARD_STATUSES):
    """What the board's script needs, or None when this person may not move tickets."""
    moves = policies.moves_by_status(user, statuses)
    if not moves:
        return None
    return {
        # Only the board's own columns: "Archivé" has none, it is reached from the ticket page.
        "moves": {status: [to for to in targets if to in statuses] for status, targets in moves.items()},
        "labels": {status: str(Ticket.Status(status).label) for status in statuses},
        "text": {
            # The service's own sentence, so a drop refused in the browser reads like one refused by the server.
            "forbidden": _("Passage de « %(old)s » à « %(new)s » non permis."),
            "moved": _("Ticket %(ticket)s déplacé vers « %(status)s »."),
            "offline": _("Pas de connexion : le ticket %(ticket)s n'a pas été déplacé. "
                         "Réessayez quand le réseau revient."),
            "failed": _("Le serveur n'a pas pu déplacer le ticket %(ticket)s : rien n'a changé. Réessayez."),
            "button": _("Déplacer vers…"),
            "button_label": _("Déplacer le ticket %(ticket)s vers une autre colonne"),
            "menu_label": _("Déplacer le ticket %(ticket)s vers"),
            "drop_here": _("Déposer dans :"),
            "not_allowed": _("non permis"),
            "cancel": _("Annuler"),
            "retry": _("Réessayer"),
            "close": _("Fermer"),
        },
    }


def answer(request, ticket):
    """Move `ticket` (whose `status` is what the person saw) to the POSTed status; say how it went in JSON.

    200 {"status", "label", "message"} when moved; otherwise {"message"} with 400 (move not allowed,
    unknown status), 403 (no right) or 409 (someone else moved it first): the drop springs back and the
    board shows the message.
    """
    try:
        services.ticket_move(ticket=ticket, to_status=request.POST.get("status", ""), by=request.user)
    except PermissionDenied as exc:
        return refused(403, str(exc))
    except ValidationError as exc:
        return refused(400, " ".join(exc.messages))
    except services.ConflictError as exc:
        return refused(409, str(exc))
    label = str(ticket.get_status_display())
    return JsonResponse({
        "status": ticket.status, "label": label,
        "message": _("Ticket %(ticket)s déplacé vers « %(status)s ».") % {"ticket": ticket.ticket_id, "status": label},
    })


def refused(status, message):
    return JsonResponse({"message": message}, status=status)
