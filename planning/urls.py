from datetime import date

from django.urls import path, register_converter

from . import views


class IsoDate:
    """A day in a path: 2025-11-20 (an impossible date does not match: 404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        return date.fromisoformat(value)

    def to_url(self, value):
        return value.isoformat() if isinstance(value, date) else value


register_converter(IsoDate, "isodate")

app_name = "planning"
urlpatterns = [
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/nouveau/", views.plan_edit, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/modifier/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/pause/", views.plan_pause, name="plan-pause"),
    path("plans/<int:pk>/generer/", views.plan_generate, name="plan-generate"),
    path("calendrier/", views.calendar, name="calendar"),
    path("calendrier/agenda/", views.feed_renew, name="feed-renew"),
    path("calendrier/ical/<str:token>.ics", views.feed_ics, name="feed"),
    path("calendrier/deplacer/<str:ticket_id>/", views.calendar_move, name="calendar-move"),
    path("calendrier/deplacer/<str:ticket_id>/jour/", views.calendar_move_form, name="calendar-day"),
    path("calendrier/deplacer-plan/<int:pk>/<isodate:day>/", views.calendar_move_upcoming, name="calendar-move-plan"),
    path("calendrier/deplacer-plan/<int:pk>/<isodate:day>/jour/", views.calendar_move_upcoming_form,
         name="calendar-day-plan"),
    path("tickets/<str:ticket_id>/liste/<int:item_id>/", views.checklist_toggle, name="checklist-toggle"),
]
