"""The REST API under /api/. Paths have no trailing slash, except the schema and docs.

Tickets are addressed by their number (`ticket_id`), URL-encoded: it contains
spaces and may contain accents, e.g. /api/tickets/IGP-POLISSEUSE-DOUBLE%20EDGER-20251112-001.
"""
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from machines import api as machines_api
from planning import api as planning_api
from reports import api as reports_api

from . import messaging, notifications, views

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("machines", views.MachineViewSet, basename="machine")
router.register("users", views.UserViewSet, basename="user")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("conversations", messaging.ConversationViewSet, basename="conversation")
router.register("messages", messaging.MessageViewSet, basename="message")
router.register("plans", planning_api.PlanViewSet, basename="plan")
router.register("checklist-items", planning_api.ChecklistItemViewSet, basename="checklist-item")

urlpatterns = [
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/refresh", views.RefreshView.as_view(), name="refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/me", views.MeView.as_view(), name="me"),
    path("users/me/password", views.PasswordChangeView.as_view(), name="password-change"),
    path("media/<int:pk>", views.MediaDetailView.as_view(), name="media-detail"),
    path("media/<int:pk>/download", views.MediaDownloadView.as_view(), name="media-download"),
    path("media/<int:pk>/thumbnail", views.MediaThumbnailView.as_view(), name="media-thumbnail"),
    path("notifications/preferences", notifications.NotificationPreferencesView.as_view(),
         name="notification-preferences"),
    path("machines/<int:pk>/status-history", machines_api.MachineStatusHistoryView.as_view(),
         name="machine-status-history"),
    path("machines/<int:pk>/figures", machines_api.MachineFiguresView.as_view(), name="machine-figures"),
    path("reports", reports_api.ReportsView.as_view(), name="reports"),
    path("reports/tickets.csv", reports_api.TicketExportView.as_view(), name="reports-tickets-csv"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from the sidecar files, its script in a file (no inline script: CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^.*$", views.EndpointNotFoundView.as_view(), name="not-found"),
]
