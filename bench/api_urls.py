"""The application's URLs plus one bare Django view that returns the same rows as
GET /api/tickets?page_size=50 without Django REST framework, so the benchmark can
show what the framework (authentication classes, filter backends, serializers,
pagination, renderer) costs on top of the ORM work both share."""
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.urls import include, path
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from tickets import policies
from tickets.models import Ticket


def _person(user):
    if user is None:
        return None
    return {"id": user.pk, "email": user.email, "full_name": user.full_name, "role": user.role}


def bare_tickets(request):
    """Same authentication (the JWT, then the user from the database), same
    queryset, same page, same fields as the API's list; no framework."""
    header = request.headers.get("Authorization", "")
    try:
        user = User.objects.get(pk=AccessToken(header.removeprefix("Bearer "))["user_id"], is_active=True)
    except Exception:
        return JsonResponse({"detail": "unauthorized"}, status=401)
    now = timezone.now()
    queryset = Ticket.objects.visible_to(user).with_related().order_by("-created_at")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    rows = []
    for t in page.object_list:
        delay = t.overdue_delay(now)
        rows.append({
            "ticket_id": t.ticket_id, "title": t.title, "description": t.description,
            "machine": {"id": t.machine_id, "machine_type": t.machine.machine_type, "model": t.machine.model,
                        "location": t.machine.location, "status": t.machine.status},
            "status": t.status, "status_label": t.get_status_display(), "priority": t.priority,
            "priority_label": t.get_priority_display(), "reporter": _person(t.reporter),
            "assigned_to": _person(t.assigned_to), "assigned_to_team": t.assigned_to_team,
            "assignee_label": t.assignee_label,
            "scheduled_date": timezone.localtime(t.scheduled_date).isoformat() if t.scheduled_date else None,
            "is_overdue": delay is not None, "overdue_delay": delay.text if delay else None,
            "allowed_moves": [str(s) for s in policies.allowed_moves(user, t)],
            "created_at": timezone.localtime(t.created_at).isoformat(),
            "updated_at": timezone.localtime(t.updated_at).isoformat(),
            "completed_at": timezone.localtime(t.completed_at).isoformat() if t.completed_at else None,
        })
    return JsonResponse({"count": page.paginator.count, "results": rows})


urlpatterns = [
    path("bench/bare-tickets", bare_tickets),
    path("", include("igp_maintenance.urls")),
]
