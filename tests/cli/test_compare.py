"""`flask diff`: two versions compared on the command line, as text, JSON or the standalone
HTML page."""

from __future__ import annotations

import json

import pytest

from tests.factories import SAMPLE_SLUG


def test_diff_command_prints_a_word_diff_per_changed_section(cli):
    result = cli("diff", SAMPLE_SLUG, "1", "2")
    assert result.exit_code == 0, result.output
    assert "Dialoogversie 1 → Dialoogversie 2" in result.output
    assert "== 1.2 Doel van dit handelingskader" in result.output
    assert "Het [-geeft-]{+biedt+} professionals" in result.output
    assert "[-Regie en casusverantwoordelijkheid-]{+Wie houdt het overzicht?+}" in result.output
    assert "== 2.1 Veiligheid voorop" not in result.output  # unchanged


def test_diff_command_json_has_the_summary_and_each_sections_operations(cli):
    result = cli("diff", SAMPLE_SLUG, "3", "1", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["from"]["number"], data["to"]["number"]) == (1, 3)  # older to newer
    assert data["summary"]["sections"] == {
        "added": 5, "removed": 3, "moved": 4, "renamed": 4, "edited": 13, "unchanged": 34,
    }  # fmt: skip
    regie = next(s for s in data["sections"] if s["key"] == "regie")
    assert regie["change"] == "moved" and regie["renamed"] and not regie["edited"]
    assert (regie["from"]["number"], regie["to"]["number"]) == ("3.5", "2.4")
    doel = next(s for s in data["sections"] if s["key"] == "doel-van-dit-handelingskader")
    assert ["-", "geeft"] in doel["ops"] and ["+", "biedt"] in doel["ops"]


def test_diff_command_html_is_the_standalone_page(cli):
    result = cli("diff", SAMPLE_SLUG, "2", "3", "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<!doctype html>") and "<style>" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [((SAMPLE_SLUG, "1", "7"), "7"), (("onbekend", "1", "2"), "onbekend")],
)
def test_diff_command_refuses_unknown_versions(cli, args, message):
    result = cli("diff", *args)
    assert result.exit_code != 0 and message in result.output
