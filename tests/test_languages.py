"""Both languages, everywhere: every text a person reads comes through the catalogue (so it
exists in English, the source, and in Dutch, the translation: tests/test_app.py fails on a
missing Dutch one), the language a person chooses is remembered with them, and dates and
numbers are written as each language writes them."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import force_locale

from reviewhub.models import Role
from tests.factories import SAMPLE_SLUG, Auth, user_with_role

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CATALOGUE = ROOT / "reviewhub" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
WORD = re.compile(r"[^\W\d_]{2,}")

# What the templates may say in no language of their own: names, codes and markers.
UNTRANSLATED_WORDS = {
    "ReviewHub", "English", "Nederlands", "KB", "RFC", "Authorization", "Bearer", "rh",
    "lang", "en", "nl", "decision", "XXreactionsXX", "XXtitleXX", "XXkindsXX", "XXquestionsXX",
    "nationaleombudsman", "autoriteitpersoonsgegevens",
}  # fmt: skip


# Every text through the catalogue ---------------------------------------------------------

TRANSLATED = re.compile(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", re.S)
JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description", "label"}


class _Texts(HTMLParser):
    """The words a reader sees or hears in a template's own HTML (not in its expressions)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[tuple[int, str]] = []
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_code += tag in ("script", "style")
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._note(value)

    def handle_endtag(self, tag: str) -> None:
        self._in_code -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._in_code:
            self._note(data)

    def _note(self, text: str) -> None:
        line = self.getpos()[0]
        self.words += [(line, w) for w in WORD.findall(text) if w not in UNTRANSLATED_WORDS]


def _own_words(path: Path) -> list[tuple[int, str]]:
    blank = lambda match: "\n" * match[0].count("\n") + " "  # noqa: E731 (keeps line numbers)
    source = JINJA.sub(blank, TRANSLATED.sub(blank, path.read_text(encoding="utf-8")))
    if path.suffix == ".txt":  # a mail: every line is read
        return [
            (n, w)
            for n, line in enumerate(source.splitlines(), 1)
            for w in WORD.findall(line)
            if w not in UNTRANSLATED_WORDS
        ]
    parser = _Texts()
    parser.feed(source)
    return parser.words


def test_every_text_in_the_templates_comes_through_the_catalogue():
    templates = [p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt", ".xml")]
    assert len(templates) > 50
    found = [
        f"{path.relative_to(ROOT)}:{line} {word}"
        for path in sorted(templates)
        for line, word in _own_words(path)
    ]
    assert found == []


# Programming errors, never shown to a person: their messages stay English only.
INTERNAL_ERRORS = {"ValueError", "RuntimeError", "TypeError", "KeyError", "AssertionError",
                   "LookupError", "NotImplementedError", "OSError"}  # fmt: skip
SHOWN = ("flash", "ValidationError", "abort")


def _said_in_python() -> list[str]:
    """Plain strings handed to what a person reads: a flash, a form's error, an abort, or one
    of the service's own errors (each is shown as it is)."""
    found = []
    for path in sorted((ROOT / "reviewhub").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            shown = name in SHOWN or (
                name.endswith(("Error", "Refused", "Conflict")) and name not in INTERNAL_ERRORS
            )
            if shown and node.args and _plain_words(node.args[0]):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    return found


def _plain_words(argument: ast.expr) -> bool:
    if isinstance(argument, ast.JoinedStr):
        return True
    return isinstance(argument, ast.Constant) and bool(WORD.search(str(argument.value)))


def test_no_message_a_person_reads_is_a_plain_string_in_the_code():
    assert _said_in_python() == []


DUTCH_WORDS = {"het", "een", "niet", "uw", "wordt", "zijn", "deze", "voor", "wij", "naar",
               "reactie", "versie", "bij"}  # fmt: skip


SAME_NAMES = {"Reactienota (PDF)", "Reactienota (Word)"}


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return [m for m in read_po(handle, locale="nl") if m.id]


def test_the_source_texts_are_english_and_their_translations_dutch():
    ids = [i for m in _catalogue() for i in (m.id if isinstance(m.id, tuple) else (m.id,))]
    dutch_looking = [i for i in ids if len(set(re.findall(r"\w+", i.lower())) & DUTCH_WORDS) > 1]
    assert dutch_looking == []
    # A translation the same as its source text was copied, not translated (short names,
    # such as "E-mail" or "CSV", are the same in both languages; so is the reactienota's).
    copied = [
        m.id
        for m in _catalogue()
        if m.string == m.id and len(WORD.findall(str(m.id))) > 2 and m.id not in SAME_NAMES
    ]
    assert copied == []


# Remembered with the person ----------------------------------------------------------------


def test_the_language_chosen_is_remembered_with_the_person(app, client, session):
    auth = Auth(client)
    auth.login(Role.PARTNER)
    client.post("/language", data={"language": "en"})
    assert user_with_role(session, Role.PARTNER).language == "en"
    auth.logout()
    with client.session_transaction() as visit:
        visit.clear()  # another day, another browser
    auth.login(Role.PARTNER)
    page = client.get("/documents/").get_data(as_text=True)
    assert '<html lang="en"' in page
    client.post("/language", data={"language": "nl"})
    assert user_with_role(session, Role.PARTNER).language == "nl"


def test_an_anonymous_visitors_choice_stays_with_the_visit(client, session):
    client.post("/language", data={"language": "en"})
    assert '<html lang="en"' in client.get("/documents/").get_data(as_text=True)
    assert user_with_role(session, Role.READER).language == "nl"


# Dates and numbers -----------------------------------------------------------------------


def test_dates_are_written_as_each_language_writes_them(client):
    version = f"/documents/{SAMPLE_SLUG}/v/3"
    assert "1 maart 2027" in client.get(version).get_data(as_text=True)
    client.post("/language", data={"language": "en"})
    assert "March 1, 2027" in client.get(version).get_data(as_text=True)


class _Pages:
    page, pages, total, has_prev, has_next, prev_num, next_num = 2, 1235, 12345, 1, 0, 1, 3

    def iter_pages(self) -> list[int]:
        return [1, 2]


def test_numbers_are_written_as_each_language_writes_them(app):
    macro = (
        '{% from "_pagination.html" import pagination_nav %}'
        "{{ pagination_nav(pages, 'documents.index') }}"
    )
    with app.test_request_context("/documents/"):
        dutch = render_template_string(macro, pages=_Pages())
        with force_locale("en"):
            english = render_template_string(macro, pages=_Pages())
    assert "Pagina 2 van 1.235 (12.345 in totaal)" in dutch
    assert "Page 2 of 1,235 (12,345 in all)" in english
