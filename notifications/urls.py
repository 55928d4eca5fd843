from django.urls import path

from . import pages, views

app_name = "notifications"
urlpatterns = [
    path("api/cron/check-overdue", views.CronCheckOverdueView.as_view(), name="cron-check-overdue"),
    path("api/webhooks/check-overdue-tickets", views.CheckOverdueTicketsView.as_view(),
         name="check-overdue-tickets"),
    path("api/webhooks/notification-history/<str:ticket_id>", views.NotificationHistoryView.as_view(),
         name="notification-history"),
    path("api/health", views.HealthView.as_view(), name="health"),
    # What a person sees: the bell's list, opening one, mark all read, the preferences.
    path("notifications/", pages.inbox, name="inbox"),
    path("notifications/panneau/", pages.panel, name="panel"),
    path("notifications/tout-lu/", pages.read_all, name="read-all"),
    path("notifications/<int:pk>/", pages.notification_open, name="open"),
    path("notifications/preferences/", pages.preferences, name="preferences"),
    # The one-click link of every e-mail: works without signing in (signed token).
    path("notifications/preferences/<str:token>/", pages.preferences_by_token, name="preferences-token"),
]
