from django.urls import path

from . import push_views

app_name = "push"
urlpatterns = [
    path("appareil/", push_views.device_page, name="device"),
    path("appareil/abonnement/", push_views.subscribe, name="subscribe"),
    path("appareil/desabonnement/", push_views.unsubscribe, name="unsubscribe"),
    path("appareil/<int:pk>/retirer/", push_views.remove_device, name="remove-device"),
]
# Under /api/push/ (igp_maintenance/urls.py), with the API's JWT authentication.
api_urlpatterns = [
    path("subscriptions", push_views.PushSubscriptionsView.as_view(), name="subscriptions"),
]
