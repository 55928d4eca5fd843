from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("cron/check-overdue", views.CronCheckOverdueView.as_view(), name="cron-check-overdue"),
    path("webhooks/check-overdue-tickets", views.CheckOverdueTicketsView.as_view(), name="check-overdue-tickets"),
    path("webhooks/notification-history/<str:ticket_id>", views.NotificationHistoryView.as_view(),
         name="notification-history"),
    path("health", views.HealthView.as_view(), name="health"),
]
