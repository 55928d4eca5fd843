from django.urls import path

from . import views

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
    path("tickets/<str:ticket_id>/liste/<int:item_id>/", views.checklist_toggle, name="checklist-toggle"),
]
