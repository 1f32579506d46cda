"""A version as a Word file for partners, and their comments and tracked changes read back.

``version_docx`` writes each section's heading (style "Heading N") and its plain text, one Word
paragraph per paragraph of the text, so a passage selected in Word is found again in the
section's text. Each heading carries a bookmark that names its section's key, so an upload maps
back to the right section even when a partner rewords or renumbers the heading:

* ``rh_`` + the key with "-" written "_", when the key has only a-z, 0-9 and "-" and the name
  fits Word's 40 characters;
* otherwise ``rhk_`` + 20 hex digits of the key's SHA-256, with a custom document property of
  that name (docProps/custom.xml) whose value is the key.

Word and LibreOffice keep both. A heading without such a bookmark is reported by its text.

``read_word_feedback`` reads an upload without trusting it: sizes are checked before anything
is unpacked, XML with a DOCTYPE is refused and entities are never resolved. It needs no
application; its errors carry lazy messages, translated when shown.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from io import BytesIO
from typing import Any, BinaryIO

import docx
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from flask_babel import lazy_gettext
from lxml import etree  # type: ignore[import-untyped]

from ..text.anchoring import CONTEXT_LENGTH

# What an upload may be. A commented framework is a few megabytes at most.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_RATIO = 100  # unpacked size to packed size, per part
RATIO_FROM = 1024 * 1024  # smaller parts cannot hurt, and styles.xml packs 30:1
MAX_PARTS = 5_000
MAX_COMMENTS = 2_000

BOOKMARK_PREFIX = "rh_"
HASHED_PREFIX = "rhk_"
_MAX_BOOKMARK = 40  # Word's limit on a bookmark's name
_DIRECT_KEY = re.compile(f"[a-z0-9-]{{1,{_MAX_BOOKMARK - len(BOOKMARK_PREFIX)}}}")
_KEY_PROPERTIES_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # user-defined properties
# What XML 1.0 cannot hold (control characters, surrogates, U+FFFE/U+FFFF): shown as U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A password-protected .docx, and a .doc, is an OLE compound file, not a zip.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What zipfile raises on a damaged archive (found by mutating real uploads byte by byte).
_ZIP_ERRORS = (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, struct.error)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
_STRICT_W = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"

DOCUMENT_PART = "word/document.xml"
COMMENTS_PART = "word/comments.xml"
COMMENTS_EXTENDED_PART = "word/commentsExtended.xml"
STYLES_PART = "word/styles.xml"
CUSTOM_PROPERTIES_PART = "docProps/custom.xml"
_PARTS_READ = (
    DOCUMENT_PART,
    COMMENTS_PART,
    COMMENTS_EXTENDED_PART,
    STYLES_PART,
    CUSTOM_PROPERTIES_PART,
)


class WordImportError(ValueError):
    """The upload cannot be read; ``str()`` (inside an app context) says why."""


@dataclass(frozen=True)
class SectionText:
    """A section as the Word file shows it. ``text``: its plain text, paragraphs separated by
    a blank line ("\\n\\n"), lines within one by "\\n"; level 0 is the opening text."""

    key: str
    number: str
    heading: str
    level: int
    text: str


@dataclass(frozen=True)
class SectionRef:
    """A section of an upload: its key from the heading's bookmark, or None (the opening
    text, or a heading that lost its bookmark); ``title`` is the heading's text as it
    stands in the upload ("" for the opening text)."""

    key: str | None
    title: str


@dataclass
class WordComment:
    """A comment with the passage it is anchored on. ``quote``: the commented text as the
    version has it (deletions kept, insertions left out; paragraphs joined by "\\n\\n"), ""
    for a comment on a point. ``section``: where the passage starts."""

    id: str
    author: str
    initials: str | None
    date: datetime | None
    text: str
    quote: str
    section: SectionRef
    done: bool = False  # marked resolved in Word
    replies: list[WordComment] = field(default_factory=list)


@dataclass(frozen=True)
class TrackedChange:
    """Tracked insertions and deletions close together in one paragraph, widened to whole
    words: ``before`` is the version's wording (what a reaction quotes, "" for a paragraph
    that is new as a whole), ``after`` the proposed one. ``prefix`` and ``suffix``: the
    version's text just around ``before`` in the paragraph, to tell repeated words apart."""

    section: SectionRef
    before: str
    after: str
    author: str
    date: datetime | None
    prefix: str = ""
    suffix: str = ""


@dataclass
class WordFeedback:
    comments: list[WordComment]  # in document order, replies under the comment they answer
    changes: list[TrackedChange]  # in document order
    sections_seen: list[SectionRef]  # every section found, in document order


# --- Writing ------------------------------------------------------------------------------


def bookmark_name(key: str) -> str:
    """The bookmark that marks the heading of the section with this key (see above)."""
    if _DIRECT_KEY.fullmatch(key):
        return BOOKMARK_PREFIX + key.replace("-", "_")
    return HASHED_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:20]


def version_docx(sections: Sequence[SectionText], title: str, out: BinaryIO) -> None:
    """Write the version as a .docx to ``out``: its title, then each section's heading and
    paragraphs, headings bookmarked with their section's key."""
    writer = _VersionWriter(title)
    writer.paragraph(title, "Title")
    for section in sections:
        writer.section(section)
    writer.finish(out)


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


class _VersionWriter:
    """Builds the body's XML directly, before its section properties: python-docx's
    add_paragraph looks those up among all the body's children each time."""

    def __init__(self, title: str) -> None:
        self.document = docx.Document()
        self.document.core_properties.title = _xml_text(title)[:255]  # the property's limit
        self.end = self.document.element.body.get_or_add_sectPr()
        self.style_ids: dict[str, str] = {}
        self.bookmarks = 0
        self.hashed_keys: dict[str, str] = {}

    def style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = str(self.document.styles[name].style_id)
        return self.style_ids[name]

    def paragraph(self, text: str, style: str | None = None) -> Any:
        paragraph = OxmlElement("w:p")
        if style:
            properties = OxmlElement("w:pPr")
            properties.append(OxmlElement("w:pStyle", {qn("w:val"): self.style_id(style)}))
            paragraph.append(properties)
        run = OxmlElement("w:r")
        for index, line in enumerate(_xml_text(text).split("\n")):
            if index:
                run.append(OxmlElement("w:br"))
            for position, piece in enumerate(line.split("\t")):
                if position:
                    run.append(OxmlElement("w:tab"))
                if piece:
                    run.append(_text_element(piece))
        paragraph.append(run)
        self.end.addprevious(paragraph)
        return paragraph

    def section(self, section: SectionText) -> None:
        if section.level != 0:
            level = min(max(section.level, 1), 9)
            heading = f"{section.number} {section.heading}".strip()
            self.bookmark(self.paragraph(heading, f"Heading {level}"), section.key)
        if section.text:
            for text in section.text.split("\n\n"):
                self.paragraph(text)

    def bookmark(self, paragraph: Any, key: str) -> None:
        name = bookmark_name(key)
        if name.startswith(HASHED_PREFIX):
            self.hashed_keys[name] = key
        self.bookmarks += 1
        number = str(self.bookmarks)
        start = OxmlElement("w:bookmarkStart", {qn("w:id"): number, qn("w:name"): name})
        paragraph[0].addnext(start)  # after the paragraph's properties
        paragraph.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): number}))

    def finish(self, out: BinaryIO) -> None:
        if self.hashed_keys:
            package = self.document.part.package
            part = Part(
                PackURI("/" + CUSTOM_PROPERTIES_PART),
                CONTENT_TYPE.OFC_CUSTOM_PROPERTIES,
                _key_properties(self.hashed_keys),
                package,
            )
            package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)
        self.document.save(out)


def _text_element(text: str) -> Any:
    element = OxmlElement("w:t")
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    element.text = text
    return element


def _key_properties(keys: Mapping[str, str]) -> bytes:
    """docProps/custom.xml with one text property per hashed bookmark name: its key."""
    root = etree.Element(_CUSTOM + "Properties", nsmap={None: _CUSTOM[1:-1], "vt": _VT[1:-1]})
    for pid, (name, key) in enumerate(sorted(keys.items()), start=2):  # Word starts at 2
        prop = etree.SubElement(
            root, _CUSTOM + "property", fmtid=_KEY_PROPERTIES_FMTID, pid=str(pid), name=name
        )
        etree.SubElement(prop, _VT + "lpwstr").text = key
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


# --- Reading: the package -----------------------------------------------------------------


def read_word_feedback(data: bytes) -> WordFeedback:
    """The comments and tracked changes of an uploaded .docx, each with its section; raise
    WordImportError if the file is no Word document or unsafe to unpack."""
    parts = _read_parts(data)
    document = _parse(parts[DOCUMENT_PART], DOCUMENT_PART)
    if document.tag == _STRICT_W + "document":
        raise WordImportError(
            lazy_gettext(
                "The document is saved as Strict Open XML; save it as an ordinary Word "
                "document (.docx) and upload that."
            )
        )
    body = document.find(_W + "body")
    if document.tag != _W + "document" or body is None:
        raise _not_word()
    comments = _optional(parts, COMMENTS_PART)
    if comments is not None:
        _check_comment_count(comments)
    walk = _DocumentWalk(
        _heading_levels(_optional(parts, STYLES_PART)),
        _hashed_keys(_optional(parts, CUSTOM_PROPERTIES_PART)),
    )
    walk.run(body)
    found = _comments(comments, walk) if comments is not None else []
    threads = _threads(found, _optional(parts, COMMENTS_EXTENDED_PART), comments)
    return WordFeedback(threads, walk.changes, walk.sections_seen())


def _not_word() -> WordImportError:
    return WordImportError(lazy_gettext("The file is not a Word document (.docx)."))


def _damaged(part: str) -> WordImportError:
    return WordImportError(
        lazy_gettext("The Word document is damaged: %(part)s cannot be read.", part=part)
    )


def _read_parts(data: bytes) -> dict[str, bytes]:
    """The parts this module reads, unpacked only after the archive's sizes are checked."""
    if data.startswith(_COMPOUND_FILE):
        raise WordImportError(
            lazy_gettext(
                "The file is password-protected or in the old Word format (.doc); save it as "
                "a .docx without a password and upload that."
            )
        )
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except _ZIP_ERRORS:
        raise _not_word() from None
    _check_members(members)
    wanted = {info.filename: info for info in members if info.filename in _PARTS_READ}
    if DOCUMENT_PART not in wanted:
        raise _not_word()
    return {name: _unpack(archive, info) for name, info in wanted.items()}


def _check_members(members: Sequence[zipfile.ZipInfo]) -> None:
    """Refuse before unpacking: encryption, too many parts, or a zip bomb by the sizes the
    archive declares (``_unpack`` holds each part to its declared size)."""
    if len(members) > MAX_PARTS:
        raise WordImportError(
            lazy_gettext(
                "The file holds more than %(limit)d parts; it is not a Word document.",
                limit=MAX_PARTS,
            )
        )
    if any(info.flag_bits & 0x1 for info in members):
        raise WordImportError(
            lazy_gettext("The file is password-protected; remove the password and upload it.")
        )
    if sum(info.file_size for info in members) > MAX_UNPACKED:
        raise WordImportError(
            lazy_gettext(
                "The file unpacks to more than %(limit)d MB; it is refused as a possible zip bomb.",
                limit=MAX_UNPACKED // (1024 * 1024),
            )
        )
    for info in members:
        if info.file_size >= RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
            raise WordImportError(
                lazy_gettext(
                    "A part of the file unpacks to more than %(ratio)d times its packed "
                    "size; it is refused as a possible zip bomb.",
                    ratio=MAX_RATIO,
                )
            )


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as member:
            content = member.read(info.file_size + 1)
    except (*_ZIP_ERRORS, zlib.error, RuntimeError):
        raise _damaged(info.filename) from None
    if len(content) != info.file_size:
        raise _damaged(info.filename)
    return content


def _parse(content: bytes, part: str) -> Any:
    """Parse one part: never a DOCTYPE (Word writes none; entities could blow it up or
    reach for files), no entity resolved, nothing fetched, libxml2's depth limits kept."""
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise _doctype(part)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError):
        raise _damaged(part) from None
    if root.getroottree().docinfo.doctype:  # spelt in another encoding than UTF-8
        raise _doctype(part)
    return root


def _doctype(part: str) -> WordImportError:
    return WordImportError(
        lazy_gettext(
            "The Word document is refused: %(part)s has a document type declaration "
            "(DOCTYPE), which Word never writes.",
            part=part,
        )
    )


def _optional(parts: Mapping[str, bytes], name: str) -> Any | None:
    return _parse(parts[name], name) if name in parts else None


def _check_comment_count(comments: Any) -> None:
    count = sum(1 for _ in comments.iterchildren(_W + "comment"))
    if count > MAX_COMMENTS:
        raise WordImportError(
            lazy_gettext(
                "The document has %(count)d comments; at most %(limit)d can be read at once.",
                count=count,
                limit=MAX_COMMENTS,
            )
        )


def _attribute(element: Any, name: str) -> str | None:
    value = element.get(_W + name)
    return None if value is None else str(value)


def _heading_levels(styles: Any | None) -> dict[str, int]:
    """Paragraph style id -> heading level (0: body text). Word names its built-in heading
    styles "heading N" in any language but may give them local ids ("Kop1"); a style may
    also have an outline level of its own or one from the style it is based on."""
    if styles is None:
        return {}
    own: dict[str, int | None] = {}
    based_on: dict[str, str] = {}
    for style in styles.iterchildren(_W + "style"):
        style_id = _attribute(style, "styleId")
        if style_id is None or _attribute(style, "type") not in (None, "paragraph"):
            continue
        own[style_id] = _own_level(style)
        parent = style.find(_W + "basedOn")
        if parent is not None and _attribute(parent, "val"):
            based_on[style_id] = str(_attribute(parent, "val"))
    return {style_id: _inherited(style_id, own, based_on) for style_id in own}


def _own_level(style: Any) -> int | None:
    name = style.find(_W + "name")
    label = (_attribute(name, "val") or "") if name is not None else ""
    match = re.fullmatch(r"heading\s*([1-9])", label, re.I)
    if match:
        return int(match.group(1))
    return _outline_level(style.find(_W + "pPr"))


def _outline_level(properties: Any | None) -> int | None:
    """Heading level from w:outlineLvl (0-8; 9 is body text, 0 here), None without one."""
    element = properties.find(_W + "outlineLvl") if properties is not None else None
    value = _attribute(element, "val") if element is not None else None
    if value is None or not re.fullmatch("[0-9]{1,2}", value):
        return None
    return int(value) + 1 if int(value) < 9 else 0


def _inherited(style_id: str, own: Mapping[str, int | None], based_on: Mapping[str, str]) -> int:
    seen: set[str] = set()
    current: str | None = style_id
    while current is not None and current not in seen:
        seen.add(current)
        level = own.get(current)
        if level is not None:
            return level
        current = based_on.get(current)
    return 0


def _hashed_keys(properties: Any | None) -> dict[str, str]:
    """Hashed bookmark name -> key, from the custom document properties."""
    if properties is None:
        return {}
    keys = {}
    for prop in properties.iterchildren(_CUSTOM + "property"):
        name, value = prop.get("name"), prop.find(_VT + "lpwstr")
        if name and str(name).startswith(HASHED_PREFIX) and value is not None and value.text:
            keys[str(name)] = str(value.text)
    return keys


def _key_of(bookmark: str, hashed_keys: Mapping[str, str]) -> str | None:
    if bookmark.startswith(HASHED_PREFIX):
        return hashed_keys.get(bookmark)
    key = bookmark.removeprefix(BOOKMARK_PREFIX).replace("_", "-").lower()
    return key if _DIRECT_KEY.fullmatch(key) else None


def _date(value: str | None) -> datetime | None:
    """A w:date as an aware datetime; Word writes UTC with a "Z", some tools no zone."""
    if not value:
        return None
    try:
        date = datetime.fromisoformat(value)
    except ValueError:
        return None
    return date if date.tzinfo else date.replace(tzinfo=UTC)


# --- Reading: the document's body ---------------------------------------------------------


class _Kind(Enum):
    SAME = "same"  # in the version and in the proposed text
    DELETED = "deleted"  # in the version only
    INSERTED = "inserted"  # in the proposed text only


@dataclass
class _Section:
    key: str | None = None
    title: str = ""

    def ref(self) -> SectionRef:
        return SectionRef(self.key, self.title)


@dataclass
class _Segment:
    kind: _Kind
    text: str
    author: str = ""
    date: str | None = None


@dataclass
class _Paragraph:
    section: _Section
    heading: bool
    segments: list[_Segment] = field(default_factory=list)
    bookmarks: list[str] = field(default_factory=list)

    def add(self, segment: _Segment) -> None:
        last = self.segments[-1] if self.segments else None
        if last is not None and last.kind is segment.kind and last.author == segment.author:
            last.text += segment.text
        else:
            self.segments.append(segment)

    def original(self) -> str:
        return "".join(s.text for s in self.segments if s.kind is not _Kind.INSERTED)


@dataclass
class _Anchor:
    """Where a comment's range starts and ends in the version's text, and its section."""

    section: _Section
    start: int | None = None
    end: int | None = None


# Subtrees without text of the version: properties, field codes, drawings and text boxes
# (whose text mc:Fallback repeats), footnote references.
_SKIPPED = frozenset(
    _W + name
    for name in (
        "pPr", "rPr", "sectPr", "sdtPr", "tblPr", "tblGrid", "trPr", "tcPr", "instrText",
        "delInstrText", "drawing", "pict", "object", "txbxContent", "footnoteReference",
        "endnoteReference",
    )
) | {_MC + "Fallback"}  # fmt: skip
_CHARACTERS = {_W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
_CHANGES = {
    _W + "ins": _Kind.INSERTED,
    _W + "moveTo": _Kind.INSERTED,
    _W + "del": _Kind.DELETED,
    _W + "moveFrom": _Kind.DELETED,
}


class _DocumentWalk:
    """One pass over the body in document order: the version's text (for comment ranges),
    the section each paragraph is in, and each paragraph's tracked changes."""

    def __init__(self, heading_levels: Mapping[str, int], hashed_keys: Mapping[str, str]):
        self.heading_levels = heading_levels
        self.hashed_keys = hashed_keys
        self.opening = _Section()
        self.sections: list[_Section] = []
        self.opening_seen = False
        self.pieces: list[str] = []  # the version's text, paragraphs joined by "\n\n"
        self.length = 0
        self.paragraph: _Paragraph | None = None
        self.paragraphs = 0
        self.marks: list[tuple[_Kind, str, str | None]] = []  # open w:ins and w:del
        self.loose_bookmarks: list[str] = []  # just before a paragraph
        self.anchors: dict[str, _Anchor] = {}  # by comment id, in document order
        self.changes: list[TrackedChange] = []
        self.starts: dict[str, Callable[[Any], None]] = {
            _W + "p": self.start_paragraph,
            _W + "t": self.text,
            _W + "delText": self.text,
            _W + "commentRangeStart": self.range_start,
            _W + "commentRangeEnd": self.range_end,
            _W + "commentReference": self.reference,
            _W + "bookmarkStart": self.bookmark,
        }

    @property
    def section(self) -> _Section:
        return self.sections[-1] if self.sections else self.opening

    def run(self, body: Any) -> None:
        walker = etree.iterwalk(body, events=("start", "end"))
        for event, element in walker:
            tag = element.tag
            if event == "start":
                if tag in _SKIPPED:
                    walker.skip_subtree()
                elif tag in _CHANGES:
                    self.marks.append((_CHANGES[tag], *self.mark_of(element)))
                elif tag in _CHARACTERS:
                    self.add(_CHARACTERS[tag])
                elif tag in self.starts:
                    self.starts[tag](element)
            elif tag in _CHANGES:
                self.marks.pop()
            elif tag == _W + "p":
                self.end_paragraph()

    def mark_of(self, element: Any) -> tuple[str, str | None]:
        return _attribute(element, "author") or "", _attribute(element, "date")

    def start_paragraph(self, element: Any) -> None:
        if self.paragraphs:
            self.emit("\n\n")
        self.paragraphs += 1
        heading = self.heading_level(element.find(_W + "pPr")) > 0
        if heading:
            self.sections.append(_Section())
        elif not self.sections:
            self.opening_seen = True
        self.paragraph = _Paragraph(self.section, heading)

    def heading_level(self, properties: Any | None) -> int:
        level = _outline_level(properties)
        if level is not None:
            return level
        style = properties.find(_W + "pStyle") if properties is not None else None
        style_id = (_attribute(style, "val") or "") if style is not None else ""
        if style_id in self.heading_levels:
            return self.heading_levels[style_id]
        match = re.fullmatch(r"(?:heading|kop)\s*([1-9])", style_id, re.I)  # no styles.xml
        return int(match.group(1)) if match else 0

    def end_paragraph(self) -> None:
        paragraph, self.paragraph = self.paragraph, None
        if paragraph is None:
            return
        if paragraph.heading:
            self.name_section(paragraph)
        self.loose_bookmarks = []
        self.changes.extend(_paragraph_changes(paragraph))

    def name_section(self, paragraph: _Paragraph) -> None:
        section = paragraph.section
        section.title = " ".join(paragraph.original().split())
        for name in [*paragraph.bookmarks, *self.loose_bookmarks]:
            section.key = _key_of(name, self.hashed_keys)
            if section.key is not None:
                return

    def kind(self) -> _Kind | None:
        """What text here is: None for text inserted and then deleted, in neither wording."""
        kinds = {kind for kind, _, _ in self.marks}
        if len(kinds) > 1:
            return None
        return kinds.pop() if kinds else _Kind.SAME

    def text(self, element: Any) -> None:
        self.add(str(element.text or ""))

    def add(self, text: str) -> None:
        kind = self.kind()
        if kind is None or not text:
            return
        if kind is not _Kind.INSERTED:
            self.emit(text)
        if self.paragraph is not None:
            author, date = self.marks[-1][1:] if self.marks else ("", None)
            self.paragraph.add(_Segment(kind, text, author, date))

    def emit(self, text: str) -> None:
        self.pieces.append(text)
        self.length += len(text)

    def anchor(self, element: Any) -> _Anchor | None:
        comment_id = _attribute(element, "id")
        if comment_id is None:
            return None
        if comment_id not in self.anchors:
            self.anchors[comment_id] = _Anchor(self.section)
        return self.anchors[comment_id]

    def range_start(self, element: Any) -> None:
        anchor = self.anchor(element)
        if anchor is not None and anchor.start is None:
            anchor.section, anchor.start = self.section, self.length

    def range_end(self, element: Any) -> None:
        anchor = self.anchor(element)
        if anchor is not None and anchor.start is not None and anchor.end is None:
            anchor.end = self.length

    def reference(self, element: Any) -> None:
        self.anchor(element)

    def bookmark(self, element: Any) -> None:
        name = _attribute(element, "name") or ""
        if not name.startswith((BOOKMARK_PREFIX, HASHED_PREFIX)):
            return
        if self.paragraph is not None:
            self.paragraph.bookmarks.append(name)
        else:
            self.loose_bookmarks.append(name)

    def quote(self, anchor: _Anchor, text: str) -> str:
        if anchor.start is None or anchor.end is None:
            return ""
        return text[anchor.start : anchor.end].strip("\n")

    def sections_seen(self) -> list[SectionRef]:
        seen = [self.opening] if self.opening_seen or not self.sections else []
        return [section.ref() for section in [*seen, *self.sections]]


# --- Reading: tracked changes -------------------------------------------------------------


def _paragraph_changes(paragraph: _Paragraph) -> list[TrackedChange]:
    segments = paragraph.segments
    changed = [i for i, s in enumerate(segments) if s.kind is not _Kind.SAME]
    if not changed:
        return []
    groups: list[list[int]] = [[changed[0]]]
    for index in changed[1:]:
        previous = groups[-1][-1]
        gap = "".join(s.text for s in segments[previous + 1 : index])
        if _close(gap):
            groups[-1].append(index)
        else:
            groups.append([index])
    section = paragraph.section.ref()
    return [_change(segments, group[0], group[-1], section) for group in groups]


def _close(gap: str) -> bool:
    """Changes belong together when the unchanged text between them is at most the rest of
    the words they touch: they are widened to whole words, and would overlap or meet."""
    spaces = [i for i, character in enumerate(gap) if character.isspace()]
    return not spaces or not gap[spaces[0] : spaces[-1] + 1].strip()


def _change(
    segments: Sequence[_Segment], first: int, last: int, section: SectionRef
) -> TrackedChange:
    left = "".join(s.text for s in segments[:first] if s.kind is not _Kind.INSERTED)
    right = "".join(s.text for s in segments[last + 1 :] if s.kind is not _Kind.INSERTED)
    inner = segments[first : last + 1]
    before = "".join(s.text for s in inner if s.kind is not _Kind.INSERTED)
    after = "".join(s.text for s in inner if s.kind is not _Kind.DELETED)
    lead = re.search(r"\S*$", left).group()  # type: ignore[union-attr]
    tail = re.match(r"\S*", right).group()  # type: ignore[union-attr]
    if not (lead + before + tail).strip():  # an insertion between words: quote a neighbour
        lead = re.search(r"\S*\s*$", left).group()  # type: ignore[union-attr]
        if not lead.strip():
            tail = re.match(r"\s*\S*", right).group()  # type: ignore[union-attr]
    prefix, suffix = left[: len(left) - len(lead)], right[len(tail) :]
    mark = next(s for s in inner if s.kind is not _Kind.SAME)
    return TrackedChange(
        section=section,
        before=lead + before + tail,
        after=lead + after + tail,
        author=mark.author,
        date=_date(mark.date),
        prefix=prefix[-CONTEXT_LENGTH:],
        suffix=suffix[:CONTEXT_LENGTH],
    )


# --- Reading: comments --------------------------------------------------------------------


def _comments(comments: Any, walk: _DocumentWalk) -> list[WordComment]:
    """The comments in document order; one the document never refers to comes last, in
    the opening text, without a quote."""
    text = "".join(walk.pieces)
    found = {}
    for element in comments.iterchildren(_W + "comment"):
        comment_id = _attribute(element, "id")
        if comment_id is None or comment_id in found:
            continue
        anchor = walk.anchors.get(comment_id, _Anchor(walk.opening))
        found[comment_id] = WordComment(
            id=comment_id,
            author=_attribute(element, "author") or "",
            initials=_attribute(element, "initials"),
            date=_date(_attribute(element, "date")),
            text=_comment_text(element),
            quote=walk.quote(anchor, text),
            section=anchor.section.ref(),
        )
    ordered = [found[i] for i in walk.anchors if i in found]
    return ordered + [c for i, c in found.items() if i not in walk.anchors]


def _comment_text(comment: Any) -> str:
    paragraphs = []
    for paragraph in comment.iter(_W + "p"):
        parts = []
        for element in paragraph.iter(_W + "t", *_CHARACTERS):
            parts.append(
                element.text or "" if element.tag == _W + "t" else _CHARACTERS[element.tag]
            )
        paragraphs.append("".join(parts))
    return "\n".join(paragraphs).strip()


def _threads(
    found: list[WordComment], extended: Any | None, comments: Any | None
) -> list[WordComment]:
    """Replies under the comment they answer, as Word marks them (commentsExtended.xml:
    w15:paraIdParent names the last paragraph of the comment answered). LibreOffice marks
    no replies: its comments all stay top-level."""
    if extended is None or comments is None:
        return found
    parents, done = _reply_marks(extended, _last_paragraph_ids(comments))
    by_id = {comment.id: comment for comment in found}
    top = []
    for comment in found:
        comment.done = comment.id in done
        root = _root(comment.id, parents)
        if root == comment.id or root not in by_id:
            top.append(comment)
        else:
            by_id[root].replies.append(comment)
    return top


def _last_paragraph_ids(comments: Any) -> dict[str, str]:
    """w14:paraId of each comment's last paragraph -> the comment's id."""
    ids = {}
    for element in comments.iterchildren(_W + "comment"):
        paragraphs = element.findall(_W + "p")
        para_id = paragraphs[-1].get(_W14 + "paraId") if paragraphs else None
        comment_id = _attribute(element, "id")
        if para_id and comment_id is not None:
            ids[str(para_id)] = comment_id
    return ids


def _reply_marks(extended: Any, comment_of: Mapping[str, str]) -> tuple[dict[str, str], set[str]]:
    parents, done = {}, set()
    for mark in extended.iterchildren(_W15 + "commentEx"):
        comment_id = comment_of.get(str(mark.get(_W15 + "paraId")))
        if comment_id is None:
            continue
        parent = comment_of.get(str(mark.get(_W15 + "paraIdParent")))
        if parent is not None and parent != comment_id:
            parents[comment_id] = parent
        if mark.get(_W15 + "done") in ("1", "true"):
            done.add(comment_id)
    return parents, done


def _root(comment_id: str, parents: Mapping[str, str]) -> str:
    seen = {comment_id}
    while comment_id in parents and parents[comment_id] not in seen:
        comment_id = parents[comment_id]
        seen.add(comment_id)
    return comment_id
