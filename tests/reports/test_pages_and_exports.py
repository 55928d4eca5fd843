"""The reports page, its CSV files, the board's export and the same data through the API."""
import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from .history import NOW, PERIOD_QUERY

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def read_csv(response, delimiter=","):
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # The BOM: Excel reads UTF-8.
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=delimiter))


def test_the_reports_page_shows_each_table_beside_its_chart_in_a_fixed_number_of_queries(
        history, supervisor, django_assert_num_queries):
    client = signed_in(supervisor)
    client.get(reverse("reports:page"), PERIOD_QUERY)
    # Session, user, his permissions (group and own), the eight tables: whatever the number of tickets.
    with django_assert_num_queries(12):
        response = client.get(reverse("reports:page"), PERIOD_QUERY)
    html = response.content.decode()
    assert html.count('class="chart"') == 7 and html.count('<table class="data">') == 7
    assert "En attente de pièces" in html
    assert "7 j 16 h" in html  # Waiting for parts: A 48 h + C 136 h.
    assert "https://old.example/hook" in html and "Pabbly" in html
    assert "cdn" not in html.lower()


@pytest.mark.parametrize("who", ["technician", "operator"])
def test_the_reports_page_is_for_those_allowed(request, who):
    assert signed_in(request.getfixturevalue(who)).get(reverse("reports:page")).status_code == 403


def test_the_reports_page_sends_the_signed_out_to_sign_in(db):
    response = Client().get(reverse("reports:page"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_each_report_table_exports_as_csv(history, supervisor):
    response = signed_in(supervisor).get(reverse("reports:table-csv", args=["mttr-priorities"]),
                                         {**PERIOD_QUERY, "sep": "comma"})
    assert read_csv(response) == [["Priorité", "Réparations", "MTTR (heures)"], ["Critique", "1", "10.0"],
                                  ["Haute", "1", "54.0"], ["Moyenne", "1", "313.0"], ["Basse", "0", ""]]
    assert 'filename="igp-mttr-priorities-2025-11-03-2025-11-16.csv"' in response["Content-Disposition"]


def test_the_french_excel_variant_uses_semicolons_and_decimal_commas(history, supervisor):
    response = signed_in(supervisor).get(reverse("reports:table-csv", args=["technicians"]),
                                         {**PERIOD_QUERY, "sep": "semicolon"})
    assert read_csv(response, ";") == [["Technicien", "Terminés", "MTTR (heures)", "Ouverts assignés"],
                                       ["Jean Technicien", "2", "183,5", "2"], ["Pierre Technicien", "1", "10,0", "0"]]


def test_without_a_choice_the_separator_follows_the_page_s_language(history, supervisor):
    """« ; » in French (Excel in French splits on it), « , » in English."""
    client = signed_in(supervisor)
    url = reverse("reports:table-csv", args=["mttr-priorities"])
    assert read_csv(client.get(url, PERIOD_QUERY), ";")[1] == ["Critique", "1", "10,0"]
    client.cookies["django_language"] = "en"
    assert read_csv(client.get(url, PERIOD_QUERY))[1] == ["Critical", "1", "10.0"]


def test_an_unknown_table_is_a_404(supervisor):
    assert signed_in(supervisor).get(reverse("reports:table-csv", args=["nope"])).status_code == 404


def test_the_ticket_export_follows_the_board_s_filters(history, supervisor, machine2):
    """The board without archived tickets; machine=M2 leaves C and D; q narrows by words like the board."""
    client = signed_in(supervisor)
    rows = read_csv(client.get(reverse("reports:tickets-csv")), ";")  # French page: « ; ».
    assert rows[0][:3] == ["Numéro", "Titre", "Machine"]
    assert sorted(r[1] for r in rows[1:]) == ["A", "B", "C", "D", "E", "F"]
    rows = read_csv(client.get(reverse("reports:tickets-csv"), {"machine": machine2.pk}), ";")
    assert sorted(r[1] for r in rows[1:]) == ["C", "D"]
    rows = read_csv(client.get(reverse("reports:tickets-csv"), {"colonne": "waiting_parts"}), ";")
    assert [(r[1], r[4], r[7]) for r in rows[1:]] == [("C", "En attente de pièces", "Jean Technicien")]


def test_the_exported_ticket_says_whether_it_is_overdue_and_how_long_its_repair_took(history, supervisor):
    rows = {r[1]: r for r in read_csv(signed_in(supervisor).get(reverse("reports:tickets-csv"),
                                                                 {"sep": "comma"}))[1:]}
    assert rows["E"][11] == "oui" and rows["C"][11] == "non"
    assert rows["A"][12] == "54.0" and rows["C"][12] == ""
    assert rows["A"][9] == "2025-11-03 08:00"  # Factory time.


def test_the_board_offers_the_export_with_its_filters_to_those_allowed(supervisor, technician, machine):
    html = signed_in(supervisor).get(reverse("web:board"), {"machine": machine.pk, "priorite": "high"}).content
    assert f'{reverse("reports:tickets-csv")}?machine={machine.pk}&amp;priorite=high'.encode() in html
    assert reverse("reports:tickets-csv").encode() not in signed_in(technician).get(reverse("web:board")).content


def test_the_export_is_refused_to_those_without_reports(technician):
    assert signed_in(technician).get(reverse("reports:tickets-csv")).status_code == 403


def test_the_export_reads_the_tickets_in_one_query_whatever_their_number(
        history, supervisor, django_assert_max_num_queries):
    client = signed_in(supervisor)
    response = client.get(reverse("reports:tickets-csv"))
    with django_assert_max_num_queries(1):
        b"".join(response.streaming_content)


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def test_the_api_gives_the_same_tables(history, supervisor):
    data = api(supervisor).get("/api/reports", PERIOD_QUERY).json()
    assert data["weeks"] == [{"week": "2025-11-03", "opened": 2, "closed": 2},
                             {"week": "2025-11-10", "opened": 2, "closed": 1}]
    assert data["statuses"][0] == {"status": "waiting_parts", "label": "En attente de pièces", "tickets": 2,
                                   "total_seconds": 184 * 3600, "mean_seconds": 92 * 3600}
    assert data["alerts"] == [{"destination": "https://old.example/hook", "sent": 0, "failed": 2},
                              {"destination": "Pabbly", "sent": 1, "failed": 1}]
    assert [r["mttr_seconds"] for r in data["mttr_priorities"]] == [36000, 54 * 3600, 313 * 3600, None]


def test_the_api_says_what_is_wrong_with_a_period(supervisor):
    response = api(supervisor).get("/api/reports", {"du": "hier"})
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_the_api_exports_the_tickets_as_csv(history, supervisor, machine2):
    response = api(supervisor).get("/api/reports/tickets.csv", {"machine": machine2.pk, "sep": "semicolon"})
    assert sorted(r[1] for r in read_csv(response, ";")[1:]) == ["C", "D"]
    assert read_csv(api(supervisor).get("/api/reports/tickets.csv"))[0][0] == "Numéro"  # « , » by default.


def test_the_api_gives_a_machine_s_figures(history, technician, machine):
    data = api(technician).get(f"/api/machines/{machine.pk}/figures", PERIOD_QUERY).json()
    assert (data["downtime_seconds"], data["mttr_seconds"], data["failures"], data["availability"]) == (
        56 * 3600, 32 * 3600, 3, 83.3)
