from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("rapports/", views.reports_page, name="page"),
    path("rapports/<slug:table>.csv", views.table_csv, name="table-csv"),
    path("export/tickets.csv", views.tickets_csv, name="tickets-csv"),
]
