"""The JSON API's comparisons of two versions of a document: which section became which
(the section mapping), and the word diffs with the summary the compare page shows. Both come
from compare.versions, as the page's do; published texts never change, so both answers carry
an ETag and are answered 304 when the client has them."""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_babel import gettext as _
from marshmallow import Schema, fields

from ..compare.textops import TextOp, heading_ops, text_ops
from ..compare.versions import Comparison, SectionChange, StoredSection, compare_versions
from ..extensions import db
from ..models import Version
from .api_common import blueprint, readable_version

bp = blueprint("api_compare", __name__, "Section mapping and comparisons between two versions.")

STATUSES = ["new", "removed", "unchanged", "edited", "renamed", "moved"]
OPS = ["equal", "insert", "delete"]


# Shapes ---------------------------------------------------------------------------------------


class ComparedVersionSchema(Schema):
    number = fields.Integer(required=True)
    label = fields.String(required=True)
    url = fields.Url(required=True)


class SectionPlaceSchema(Schema):
    """A section as it is in one of the two versions."""

    key = fields.String(required=True)
    number = fields.String(required=True, metadata={"description": "Empty for the opening text."})
    heading = fields.String(required=True)


class SectionPairSchema(Schema):
    key = fields.String(
        required=True, metadata={"description": "The section's key in the newer version, or in "
                                 "the older one when it was removed."}
    )  # fmt: skip
    status = fields.String(
        required=True,
        metadata={"enum": STATUSES, "description": "The main change; a section can also be "
                  "moved, renamed and edited at once (see those fields)."},
    )  # fmt: skip
    moved = fields.Boolean(required=True)
    renamed = fields.Boolean(required=True)
    edited = fields.Boolean(required=True)
    from_ = fields.Nested(
        SectionPlaceSchema, data_key="from", required=True, allow_none=True,
        metadata={"description": "None: new in the newer version."},
    )  # fmt: skip
    to = fields.Nested(
        SectionPlaceSchema, required=True, allow_none=True,
        metadata={"description": "None: removed from the older version."},
    )  # fmt: skip


class SectionMappingSchema(Schema):
    document = fields.String(required=True)
    from_ = fields.Nested(ComparedVersionSchema, data_key="from", required=True)
    to = fields.Nested(ComparedVersionSchema, required=True)
    page = fields.Url(required=True, metadata={"description": "The comparison on the site."})
    sections = fields.List(
        fields.Nested(SectionPairSchema), required=True,
        metadata={"description": "In the newer version's order; removed sections where they "
                  "stood."},
    )  # fmt: skip


class TextOpSchema(Schema):
    op = fields.String(required=True, metadata={"enum": OPS})
    text = fields.String(required=True)


class SectionDiffSchema(Schema):
    heading = fields.List(fields.Nested(TextOpSchema), required=True)
    text = fields.List(
        fields.Nested(TextOpSchema), required=True,
        metadata={"description": "The text as the reader sees it, a blank line between blocks: "
                  "the equal and delete pieces make the older text, the equal and insert "
                  "pieces the newer."},
    )  # fmt: skip


class ComparedSectionSchema(SectionPairSchema):
    diff = fields.Nested(
        SectionDiffSchema, required=True, allow_none=True,
        metadata={"description": "None when the section is unchanged."},
    )  # fmt: skip


class SectionCountsSchema(Schema):
    new = fields.Integer(required=True)
    removed = fields.Integer(required=True)
    changed = fields.Integer(
        required=True, metadata={"description": "In both versions, moved, renamed or edited."}
    )
    moved = fields.Integer(required=True)
    renamed = fields.Integer(required=True)
    edited = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


class WordCountsSchema(Schema):
    added = fields.Integer(required=True)
    removed = fields.Integer(required=True)


class ComparisonSummarySchema(Schema):
    sections = fields.Nested(SectionCountsSchema, required=True)
    words = fields.Nested(WordCountsSchema, required=True)


class ComparisonSchema(SectionMappingSchema):
    summary = fields.Nested(ComparisonSummarySchema, required=True)
    sections = fields.List(fields.Nested(ComparedSectionSchema), required=True)


# Views ----------------------------------------------------------------------------------------


@bp.route("/documents/<slug>/versions/<int:a>/mapping/<int:b>")
@bp.etag
@bp.response(200, SectionMappingSchema)
def mapping(slug: str, a: int, b: int) -> dict[str, Any]:
    """Which section of version ``a`` became which section of the newer version ``b``: each
    pair with its number and heading in both, and what happened to it."""
    old, new = _versions(slug, a, b)
    comparison = compare_versions(db.session, old, new)
    return {**_head(old, new), "sections": [_pair(c) for c in comparison.changes]}


@bp.route("/documents/<slug>/versions/<int:a>/compare/<int:b>")
@bp.etag
@bp.response(200, ComparisonSchema)
def comparison(slug: str, a: int, b: int) -> dict[str, Any]:
    """The comparison of version ``a`` with the newer version ``b``: the section mapping, the
    word diff of each changed section's heading and text, and the summary counts."""
    old, new = _versions(slug, a, b)
    found = compare_versions(db.session, old, new)
    return {**_head(old, new), "summary": _summary(found),
            "sections": [{**_pair(c), "diff": _diff(c)} for c in found.changes]}  # fmt: skip


def _versions(slug: str, a: int, b: int) -> tuple[Version, Version]:
    """The two versions, older first; 404 for one the client may not read (or that does not
    exist), 422 for a pair that is no comparison."""
    old, new = readable_version(slug, a), readable_version(slug, b)
    if a == b:
        abort(422, _("Choose two different versions."))
    if a > b:
        abort(422, _("Give the older version first: version %(a)d is newer than version %(b)d.",
                     a=a, b=b))  # fmt: skip
    return old, new


def _head(old: Version, new: Version) -> dict[str, Any]:
    slug = old.document.slug
    page = url_for("compare.compare", slug=slug, a=old.number, b=new.number, _external=True)
    return {"document": slug, "from_": _version(old), "to": _version(new), "page": page}


def _version(version: Version) -> dict[str, Any]:
    url = url_for("api.version", slug=version.document.slug, number=version.number,
                  _external=True)  # fmt: skip
    return {"number": version.number, "label": version.label, "url": url}


def _pair(change: SectionChange) -> dict[str, Any]:
    return {"key": change.section.key, "status": change.marker, "moved": change.moved,
            "renamed": change.renamed, "edited": change.edited,
            "from_": _place(change.old), "to": _place(change.new)}  # fmt: skip


def _place(section: StoredSection | None) -> dict[str, Any] | None:
    if section is None:
        return None
    return {"key": section.key, "number": section.number, "heading": section.heading}


def _diff(change: SectionChange) -> dict[str, Any] | None:
    if change.unchanged:
        return None
    return {"heading": _ops(heading_ops(change)), "text": _ops(text_ops(change))}


def _ops(ops: list[TextOp]) -> list[dict[str, str]]:
    return [{"op": op.op.value, "text": op.text} for op in ops]


def _summary(comparison: Comparison) -> dict[str, Any]:
    """The counts the compare page shows; a section moved, renamed and edited counts under
    each of the three, and once as changed."""
    counts = comparison.summary
    changed = sum(not (c.unchanged or c.added or c.removed) for c in comparison.changes)
    return {
        "sections": {"new": counts.added, "removed": counts.removed, "changed": changed,
                     "moved": counts.moved, "renamed": counts.renamed, "edited": counts.edited,
                     "unchanged": counts.unchanged},
        "words": {"added": counts.words_added, "removed": counts.words_removed},
    }  # fmt: skip
