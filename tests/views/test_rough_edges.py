"""Rough edges found on a first visit (issue 14, part 7), each fixed with its test: downloads
name their character set once, the comparison's address without versions explains itself,
the concern reads as one ("Zorgpunt", not "Zorg": care), and the history says plainly where
a section appeared."""

from __future__ import annotations

from flask.testing import FlaskClient

from reviewhub.models import Role
from tests.factories import SAMPLE_SLUG, Auth

SAMPLE = f"/documents/{SAMPLE_SLUG}"


def test_downloads_name_their_character_set_once(client: FlaskClient, auth: Auth):
    assert client.get(f"{SAMPLE}/v/3/source.md").headers["Content-Type"] == (
        "text/markdown; charset=utf-8")  # fmt: skip
    assert client.get(f"{SAMPLE}/compare/1...3/export.html").headers["Content-Type"] == (
        "text/html; charset=utf-8")  # fmt: skip
    auth.login(Role.REVIEWER)
    assert client.get(f"{SAMPLE}/v/3/export/csv").headers["Content-Type"] == (
        "text/csv; charset=utf-8")  # fmt: skip


def test_the_comparison_without_versions_leads_to_the_document_with_a_message(client):
    response = client.get(f"{SAMPLE}/compare")
    assert response.status_code == 302 and response.location.endswith(SAMPLE)
    page = client.get(response.location).get_data(as_text=True)
    assert "Kies de twee versies die u wilt vergelijken." in page


def test_a_concern_is_called_zorgpunt(client: FlaskClient, auth: Auth):
    auth.login(Role.PARTNER)
    page = client.get(f"{SAMPLE}/v/3/s/veiligheid").get_data(as_text=True)
    assert "Zorgpunt" in page and ">Zorg<" not in page


def test_the_history_says_where_a_section_appeared(client: FlaskClient):
    page = client.get(f"{SAMPLE}/sections/veiligheid/history").get_data(as_text=True)
    assert "Nieuw in deze versie, als 2.1 Veiligheid voorop." in page
    assert "In deze versie verschenen als" not in page
