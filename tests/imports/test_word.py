"""The Word round trip: a version written by ``version_docx``, commented on and edited with
tracked changes (by python-docx here, as Word and LibreOffice store them), read back by
``read_word_feedback``; and uploads that must be refused, each with a message that says why."""

from __future__ import annotations

import copy
import io
import os
import random
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import docx
import pytest
from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from flask import Flask
from flask_babel import force_locale

from reviewhub.imports.word import (
    MAX_COMMENTS,
    SectionRef,
    SectionText,
    WordFeedback,
    WordImportError,
    bookmark_name,
    read_word_feedback,
    version_docx,
)

LONG_KEY = "2-afspraken_over_de_financiering_van_de_regionale_opvang"
SECTIONS = [
    SectionText("preamble", "", "", 0, "Dit kader beschrijft hoe de regio samenwerkt."),
    SectionText(
        "1-doel",
        "1",
        "Doel",
        1,
        "De gemeente zorgt voor opvang van iedereen die zich meldt.\n\n"
        "Partners leveren elk jaar een verslag aan bij de regio.",
    ),
    SectionText("1-1-reikwijdte", "1.1", "Reikwijdte", 2, "Het kader geldt voor alle gemeenten."),
    SectionText(LONG_KEY, "2", "Financiering", 1, "Het Rijk betaalt de helft van de kosten."),
]
TEXT_OF = {section.key: section.text for section in SECTIONS}
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"


# --- Building uploads ---------------------------------------------------------------------


def _version(sections: Iterable[SectionText] = SECTIONS) -> bytes:
    out = io.BytesIO()
    version_docx(list(sections), "Regionaal kader", out)
    return out.getvalue()


def _open(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def _save(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _paragraph(document: Document, phrase: str) -> Paragraph:
    return next(p for p in document.paragraphs if phrase in p.text)


def _isolate(document: Document, phrase: str) -> Run:
    """The phrase in a run of its own (a comment or a tracked change covers whole runs)."""
    return _isolate_in(_paragraph(document, phrase), phrase)


def _isolate_in(paragraph: Paragraph, phrase: str) -> Run:
    run = next(r for r in paragraph.runs if phrase in r.text)
    before, _, after = run.text.partition(phrase)
    run.text = phrase
    for text, place in ((before, run._r.addprevious), (after, run._r.addnext)):
        if text:
            element = copy.deepcopy(run._r)
            place(element)
            Run(element, paragraph).text = text
    return run


def _mark(tag: str, author: str, number: int) -> OxmlElement:
    return OxmlElement(
        tag,
        {qn("w:id"): str(number), qn("w:author"): author, qn("w:date"): "2026-11-20T09:30:00Z"},
    )


def _replace(document: Document, phrase: str, wording: str, author: str, number: int) -> None:
    """A tracked replacement as Word writes it: the old words in w:del, the new in w:ins."""
    run = _isolate(document, phrase)
    deletion = _mark("w:del", author, number)
    run._r.addprevious(deletion)
    deletion.append(run._r)
    for text in run._r.findall(qn("w:t")):
        text.tag = qn("w:delText")
    if wording:
        insertion = _mark("w:ins", author, number + 1)
        deletion.addnext(insertion)
        added = copy.deepcopy(run._r)
        insertion.append(added)
        Run(added, run._parent).text = wording


def _insert_after(document: Document, phrase: str, wording: str, author: str) -> None:
    run = _isolate(document, phrase)
    insertion = _mark("w:ins", author, 90)
    run._r.addnext(insertion)
    added = copy.deepcopy(run._r)
    insertion.append(added)
    Run(added, run._parent).text = wording


def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def _document_xml(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}'
        "</w:body></w:document>"
    )


def _refusal(app: Flask, data: bytes) -> str:
    with pytest.raises(WordImportError) as error:
        read_word_feedback(data)
    with app.app_context(), force_locale("en"):  # the messages as written, untranslated
        return str(error.value)


def _by_text(feedback: WordFeedback) -> dict[str, object]:
    return {comment.text: comment for comment in feedback.comments}


# --- The version as Word ------------------------------------------------------------------


def test_the_version_has_its_title_headings_and_paragraphs():
    document = _open(_version())
    assert document.core_properties.title == "Regionaal kader"
    shown = [(p.style.name, p.text) for p in document.paragraphs]
    assert shown == [
        ("Title", "Regionaal kader"),
        ("Normal", "Dit kader beschrijft hoe de regio samenwerkt."),
        ("Heading 1", "1 Doel"),
        ("Normal", "De gemeente zorgt voor opvang van iedereen die zich meldt."),
        ("Normal", "Partners leveren elk jaar een verslag aan bij de regio."),
        ("Heading 2", "1.1 Reikwijdte"),
        ("Normal", "Het kader geldt voor alle gemeenten."),
        ("Heading 1", "2 Financiering"),
        ("Normal", "Het Rijk betaalt de helft van de kosten."),
    ]


def test_headings_are_bookmarked_with_their_keys():
    xml = zipfile.ZipFile(io.BytesIO(_version())).read("word/document.xml").decode()
    assert 'w:name="rh_1_doel"' in xml and 'w:name="rh_1_1_reikwijdte"' in xml
    hashed = bookmark_name(LONG_KEY)  # too long for a bookmark, and has an underscore
    assert hashed.startswith("rhk_") and len(hashed) <= 40 and f'w:name="{hashed}"' in xml
    feedback = read_word_feedback(_version())
    assert feedback.sections_seen == [
        SectionRef(None, ""),
        SectionRef("1-doel", "1 Doel"),
        SectionRef("1-1-reikwijdte", "1.1 Reikwijdte"),
        SectionRef(LONG_KEY, "2 Financiering"),
    ]
    assert feedback.comments == [] and feedback.changes == []


def test_lines_tabs_levels_and_awkward_characters_survive():
    sections = [
        SectionText("a", "1", "Diep", 12, "Regel een\nregel twee\tna een tab"),
        SectionText("b", "", "Zonder nummer", -1, "Teken \x07 weg"),
    ]
    document = _open(_version(sections))
    assert [p.style.name for p in document.paragraphs[1:]] == [
        "Heading 9",
        "Normal",
        "Heading 1",
        "Normal",
    ]
    assert document.paragraphs[2].text == "Regel een\nregel twee\tna een tab"
    assert document.paragraphs[3].text == "Zonder nummer"
    assert document.paragraphs[4].text == "Teken \ufffd weg"


# --- Comments -----------------------------------------------------------------------------


def _commented() -> bytes:
    document = _open(_version())
    document.add_comment(
        _isolate(document, "samenwerkt"), "Met wie precies?", "Anne de Vries", "AV"
    )
    document.add_comment(_isolate(document, "opvang van iedereen"), "Ook van statushouders?", "Bo")
    first = _isolate(document, "die zich meldt.")
    last = _isolate(document, "Partners leveren")
    document.add_comment([first, last], "Twee alinea's samen.", "Cas", "C")
    comment = document.add_comment(_isolate(document, "de helft"), "Te weinig.", "Dirk")
    comment.add_paragraph("Vraag het Rijk om meer.")
    document.add_comment(_isolate(document, "Reikwijdte"), "Kop onduidelijk.", "Eva")
    return _save(document)


def test_each_comment_maps_to_its_section_with_the_passage_commented_on():
    feedback = read_word_feedback(_commented())
    found = [(c.section.key, c.quote, c.author, c.text) for c in feedback.comments]
    assert found == [
        (None, "samenwerkt", "Anne de Vries", "Met wie precies?"),
        ("1-doel", "opvang van iedereen", "Bo", "Ook van statushouders?"),
        ("1-doel", "die zich meldt.\n\nPartners leveren", "Cas", "Twee alinea's samen."),
        ("1-1-reikwijdte", "Reikwijdte", "Eva", "Kop onduidelijk."),  # on the heading
        (LONG_KEY, "de helft", "Dirk", "Te weinig.\nVraag het Rijk om meer."),
    ]
    for comment in feedback.comments:
        text = TEXT_OF[comment.section.key or "preamble"]
        assert comment.quote in text or comment.text == "Kop onduidelijk."
    first = feedback.comments[0]
    assert first.initials == "AV" and first.replies == [] and not first.done
    assert isinstance(first.date, datetime) and first.date.tzinfo is not None


def test_a_renamed_heading_keeps_its_key_and_one_without_bookmark_its_text():
    document = _open(_commented())
    heading = _paragraph(document, "1 Doel")
    heading.runs[0].text = "1 Doelen van het kader"
    bare = _paragraph(document, "2 Financiering")
    for mark in bare._p.findall(qn("w:bookmarkStart")) + bare._p.findall(qn("w:bookmarkEnd")):
        bare._p.remove(mark)
    feedback = read_word_feedback(_save(document))
    assert feedback.sections_seen[1:] == [
        SectionRef("1-doel", "1 Doelen van het kader"),
        SectionRef("1-1-reikwijdte", "1.1 Reikwijdte"),
        SectionRef(None, "2 Financiering"),
    ]
    assert _by_text(feedback)["Te weinig.\nVraag het Rijk om meer."].section == SectionRef(
        None, "2 Financiering"
    )


def test_a_comment_on_a_point_has_no_quote():
    document = _open(_commented())
    body = document.element.body
    for tag in ("w:commentRangeStart", "w:commentRangeEnd"):
        for mark in body.iter(qn(tag)):
            if mark.get(qn("w:id")) == "1":
                mark.getparent().remove(mark)
    comment = _by_text(read_word_feedback(_save(document)))["Ook van statushouders?"]
    assert comment.quote == "" and comment.section.key == "1-doel"


def test_a_comment_on_changed_text_quotes_the_version():
    document = _open(_version())
    _replace(document, "opvang", "huisvesting", "Fenna", 50)
    start = _isolate(document, "De gemeente zorgt voor ")
    end = _isolate(document, " van iedereen")
    document.add_comment([start, end], "Hier.", "Gijs")
    (comment,) = read_word_feedback(_save(document)).comments
    assert comment.quote == "De gemeente zorgt voor opvang van iedereen"
    assert comment.quote in TEXT_OF["1-doel"]


# --- Tracked changes ----------------------------------------------------------------------


def test_tracked_changes_become_proposed_wording_per_passage():
    document = _open(_version())
    _replace(document, "opvang", "huisvesting", "Fenna", 10)
    _replace(document, "meldt", "aanmeldt", "Fenna", 20)
    _replace(document, "elk jaar ", "", "Gijs", 30)
    _insert_after(document, "Het Rijk betaalt", " ten minste", "Hanna")
    feedback = read_word_feedback(_save(document))
    found = [(c.section.key, c.before, c.after, c.author) for c in feedback.changes]
    assert found == [
        ("1-doel", "opvang", "huisvesting", "Fenna"),
        ("1-doel", "meldt.", "aanmeldt.", "Fenna"),
        ("1-doel", "elk jaar een", "een", "Gijs"),
        (LONG_KEY, "betaalt", "betaalt ten minste", "Hanna"),
    ]
    for change in feedback.changes:
        assert change.before in TEXT_OF[change.section.key or "preamble"]
        assert change.date is not None and change.date.year == 2026
    first = feedback.changes[0]
    assert first.prefix == "De gemeente zorgt voor " and first.suffix.startswith(" van iedereen")


def test_changes_next_to_each_other_are_one_suggestion():
    document = _open(_version())
    _replace(document, "iedereen die", "wie", "Ivo", 10)
    _replace(document, "zich", "zich daar", "Ivo", 20)
    (change,) = read_word_feedback(_save(document)).changes
    assert (change.before, change.after) == ("iedereen die zich", "wie zich daar")


# --- Word's replies -----------------------------------------------------------------------


def _comment_xml(number: int, author: str, text: str, para_id: str) -> str:
    return (
        f'<w:comment w:id="{number}" w:author="{author}" w:date="2026-11-20T10:00:00Z">'
        f'<w:p w14:paraId="{para_id}"><w:r><w:t>{text}</w:t></w:r></w:p></w:comment>'
    )


def test_word_replies_are_grouped_under_the_comment_they_answer():
    ranges = "".join(f'<w:commentRangeStart w:id="{n}"/>' for n in range(3))
    ends = "".join(
        f'<w:commentRangeEnd w:id="{n}"/><w:r><w:commentReference w:id="{n}"/></w:r>'
        for n in range(3)
    )
    body = f"<w:p>{ranges}<w:r><w:t>Alle partners</w:t></w:r>{ends}</w:p>"
    comments = (
        f'<w:comments xmlns:w="{W}" xmlns:w14="{W14}">'
        + _comment_xml(0, "Anne", "Welke partners?", "00000001")
        + _comment_xml(1, "Bo", "Alle twaalf.", "00000002")
        + _comment_xml(2, "Anne", "Dank.", "00000003")
        + "</w:comments>"
    )
    extended = (
        f'<w15:commentsEx xmlns:w15="{W15}">'
        '<w15:commentEx w15:paraId="00000001" w15:done="1"/>'
        '<w15:commentEx w15:paraId="00000002" w15:paraIdParent="00000001" w15:done="0"/>'
        '<w15:commentEx w15:paraId="00000003" w15:paraIdParent="00000002" w15:done="0"/>'
        "</w15:commentsEx>"
    )
    upload = {"word/document.xml": _document_xml(body), "word/comments.xml": comments}
    (thread,) = read_word_feedback(_zip({**upload, "word/commentsExtended.xml": extended})).comments
    assert (thread.text, thread.quote, thread.done) == ("Welke partners?", "Alle partners", True)
    assert [reply.text for reply in thread.replies] == ["Alle twaalf.", "Dank."]
    # Without commentsExtended.xml (LibreOffice's way), each comment stands on its own.
    flat = read_word_feedback(_zip(upload)).comments
    assert [c.text for c in flat] == ["Welke partners?", "Alle twaalf.", "Dank."]


# --- LibreOffice --------------------------------------------------------------------------


def _soffice() -> str:
    path = shutil.which("soffice")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing in CI: .ci/run should install it")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    return path


def test_comments_and_changes_survive_a_save_in_libreoffice(tmp_path: Path):
    document = _open(_commented())
    _replace(document, "alle gemeenten", "de gemeenten in de regio", "Fenna", 70)
    upload = tmp_path / "in" / "kader.docx"
    upload.parent.mkdir()
    upload.write_bytes(_save(document))
    subprocess.run(
        [
            _soffice(), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path), str(upload),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    before = read_word_feedback(upload.read_bytes())
    after = read_word_feedback((tmp_path / "kader.docx").read_bytes())
    assert after.sections_seen == before.sections_seen
    summary = [(c.section, c.quote, c.author, c.initials, c.text) for c in after.comments]
    assert summary == [(c.section, c.quote, c.author, c.initials, c.text) for c in before.comments]
    assert [(c.section, c.before, c.after, c.author) for c in after.changes] == [
        (SectionRef("1-1-reikwijdte", "1.1 Reikwijdte"), "alle gemeenten.",
         "de gemeenten in de regio.", "Fenna"),
    ]  # fmt: skip


# --- Size ---------------------------------------------------------------------------------


def test_five_hundred_sections_and_a_thousand_comments():
    sections = [
        SectionText(f"s{n}", str(n), f"Sectie {n}", 1 + n % 3, f"Eerste zin {n}. Tweede zin {n}.")
        for n in range(500)
    ]
    document = _open(_version(sections))
    texts = [p for p in document.paragraphs if p.style.name == "Normal"]
    for n, paragraph in enumerate(texts):
        document.add_comment(_isolate_in(paragraph, f"Eerste zin {n}."), f"Een {n}", "A")
        document.add_comment(_isolate_in(paragraph, f"Tweede zin {n}."), f"Twee {n}", "B")
    feedback = read_word_feedback(_save(document))
    assert len(feedback.comments) == 1000 and len(feedback.sections_seen) == 501
    assert all(c.section.key == f"s{c.text.split()[1]}" for c in feedback.comments)
    assert feedback.comments[-1].quote == "Tweede zin 499."


# --- Refused uploads ----------------------------------------------------------------------


def test_not_a_zip_is_refused(app):
    assert _refusal(app, b"Beste regio, hierbij mijn reactie.") == (
        "The file is not a Word document (.docx)."
    )


def test_random_junk_is_refused(app):
    junk = random.Random(20261201).randbytes(10 * 1024 * 1024)
    assert "not a Word document" in _refusal(app, junk)


def test_a_zip_without_a_word_document_is_refused(app):
    assert "not a Word document" in _refusal(app, _zip({"xl/workbook.xml": "<workbook/>"}))


def test_a_password_protected_or_old_word_file_is_refused(app):
    compound = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    assert "password-protected or in the old Word format (.doc)" in _refusal(app, compound)


def test_an_encrypted_zip_is_refused(app):
    data = bytearray(_zip({"word/document.xml": _document_xml("")}))
    # Set the "encrypted" flag in the central directory, as zip tools with a password do.
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    assert "password-protected; remove the password" in _refusal(app, bytes(data))


def _zeros(megabytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", _document_xml(""))
        with archive.open("word/media/image1.png", "w") as member:
            for _ in range(megabytes):
                member.write(bytes(1024 * 1024))
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_unpacking(app):
    bomb = _zeros(60)
    assert len(bomb) < 1024 * 1024
    assert "unpacks to more than 50 MB; it is refused as a possible zip bomb" in _refusal(app, bomb)


def test_a_part_packed_too_tightly_is_refused(app):
    assert "more than 100 times its packed size" in _refusal(app, _zeros(5))


def test_a_part_larger_than_it_says_is_refused(app):
    data = bytearray(_zip({"word/document.xml": _document_xml("<w:p/>" * 100)}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # the declared size
    assert "damaged: word/document.xml cannot be read" in _refusal(app, bytes(data))


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16"])
def test_a_doctype_is_refused(app, encoding):
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        '<!DOCTYPE w:document [<!ENTITY boem "boem boem boem">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&boem;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    upload = _zip({"word/document.xml": xml.encode(encoding.lower())})
    assert "word/document.xml has a document type declaration (DOCTYPE)" in _refusal(app, upload)


def test_broken_xml_is_refused(app):
    upload = _zip({"word/document.xml": "<w:document><w:body>"})
    assert (
        _refusal(app, upload) == "The Word document is damaged: word/document.xml cannot be read."
    )


def test_too_many_comments_are_refused(app):
    comments = "".join(_comment_xml(n, "A", "x", f"{n:08X}") for n in range(MAX_COMMENTS + 1))
    upload = _zip(
        {
            "word/document.xml": _document_xml(""),
            "word/comments.xml": f'<w:comments xmlns:w="{W}" xmlns:w14="{W14}">{comments}'
            "</w:comments>",
        }
    )
    assert "2001 comments; at most 2000 can be read at once" in _refusal(app, upload)


def test_a_word_document_without_comments_gives_nothing_to_import():
    upload = _zip({"word/document.xml": _document_xml("<w:p><w:r><w:t>Tekst</w:t></w:r></w:p>")})
    assert read_word_feedback(upload) == WordFeedback([], [], [SectionRef(None, "")])


def test_headings_are_found_by_style_name_and_outline_level():
    """Dutch Word gives "heading 1" the id "Kop1"; styles based on it, or with an outline
    level, are headings too; outline level 9 is body text."""
    styles = (
        f'<w:styles xmlns:w="{W}">'
        '<w:style w:type="paragraph" w:styleId="Kop1"><w:name w:val="heading 1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Eigen"><w:name w:val="Mijn kop"/>'
        '<w:basedOn w:val="Kop1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Platte"><w:name w:val="Platte kop"/>'
        '<w:basedOn w:val="Kop1"/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>'
        "</w:styles>"
    )

    def paragraph(text: str, properties: str = "") -> str:
        return f"<w:p><w:pPr>{properties}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"

    body = "".join(
        [
            paragraph("Een", '<w:pStyle w:val="Kop1"/>'),
            paragraph("Twee", '<w:pStyle w:val="Eigen"/>'),
            paragraph("Geen kop", '<w:pStyle w:val="Platte"/>'),
            paragraph("Drie", '<w:outlineLvl w:val="2"/>'),
            paragraph("Ook geen", '<w:pStyle w:val="Kop1"/><w:outlineLvl w:val="9"/>'),
            paragraph("Vier", '<w:outlineLvl w:val="²"/><w:pStyle w:val="Heading2"/>'),
        ]
    )
    upload = _zip({"word/document.xml": _document_xml(body), "word/styles.xml": styles})
    titles = [section.title for section in read_word_feedback(upload).sections_seen]
    assert titles == ["Een", "Twee", "Drie", "Vier"]
