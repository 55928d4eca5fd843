from django.urls import path

from . import views

app_name = "machines"
urlpatterns = [
    # What the QR labels carry: keep this path as it is, printed labels depend on it.
    path("m/<int:pk>/", views.scan, name="scan"),
    path("machines/", views.machine_list, name="list"),
    path("machines/etiquettes/", views.labels, name="labels"),
    path("machines/<int:pk>/", views.machine_detail, name="detail"),
    path("machines/<int:pk>/etat/", views.machine_status, name="status"),
    path("machines/<int:pk>/qr.svg", views.qr_code, name="qr"),
]
