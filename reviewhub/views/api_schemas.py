"""What the JSON API answers, as marshmallow schemas: flask-smorest serialises the views'
results with them and generates the OpenAPI description from them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..models import CommentKind, Disposition


class VersionSummarySchema(Schema):
    number = fields.Integer(required=True)
    label = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["draft", "open", "closed", "final"]})
    closes_on = fields.Date(allow_none=True)
    published_at = fields.DateTime(required=True)
    url = fields.Url(required=True)


class SectionSchema(Schema):
    key = fields.String(required=True, metadata={"description": "The same in every version."})
    number = fields.String(required=True, metadata={"description": "Empty for the opening text."})
    heading = fields.String(required=True)
    level = fields.Integer(required=True, metadata={"description": "0 for the opening text."})
    html = fields.String(required=True)
    markdown = fields.String(required=True)


class VersionSchema(VersionSummarySchema):
    document = fields.String(required=True)
    change_summary = fields.String(required=True)
    sections = fields.List(fields.Nested(SectionSchema), required=True)


class DocumentSummarySchema(Schema):
    slug = fields.String(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    current_version = fields.Integer(allow_none=True)
    url = fields.Url(required=True)


class DocumentSchema(DocumentSummarySchema):
    versions = fields.List(fields.Nested(VersionSummarySchema), required=True)


class ProblemSchema(Schema):
    """An error, as problem details (RFC 9457; views/problems.py)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "Per field, what is wrong with it."})  # fmt: skip


class ReactionQuerySchema(Schema):
    """The workspace's filters, and a cursor: the reactions after ``after`` (their ids rise)."""

    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**62))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    section = fields.String(validate=validate.Length(max=100))
    kind = fields.String(validate=validate.OneOf([k.value for k in CommentKind]))
    status = fields.String(validate=validate.OneOf([d.value for d in Disposition]))
    group = fields.Integer(validate=validate.Range(min=1, max=2**62))


class SelectorSchema(Schema):
    type = fields.String(
        required=True, metadata={"enum": ["TextQuoteSelector", "TextPositionSelector"]}
    )
    exact = fields.String()
    prefix = fields.String()
    suffix = fields.String()
    start = fields.Integer()
    end = fields.Integer()


class TargetSchema(Schema):
    source = fields.Url(required=True, metadata={"description": "The section's page."})
    selector = fields.List(
        fields.Nested(SelectorSchema),
        required=True,
        metadata={
            "description": "The passage, as W3C Web Annotation "
            "selectors; empty for the whole section."
        },
    )


class ReactionSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True)
    url = fields.Url(required=True)
    section = fields.String(required=True, metadata={"description": "The section's key."})
    kind = fields.String(allow_none=True, metadata={"enum": [k.value for k in CommentKind]})
    group = fields.String(allow_none=True)
    author = fields.String(
        required=True, metadata={"description": "As its author chose to be named in public."}
    )
    created = fields.DateTime(required=True)
    body = fields.String(allow_none=True, metadata={"description": "None once deleted or hidden."})
    proposed_wording = fields.String(allow_none=True)
    target = fields.Nested(TargetSchema, required=True)
    status = fields.String(required=True, metadata={"enum": [d.value for d in Disposition]})
    motivation = fields.String(allow_none=True)
    replies = fields.Integer(required=True)
    hidden = fields.Boolean(required=True)
    withdrawn = fields.Boolean(required=True)


class ReactionPageSchema(Schema):
    items = fields.List(fields.Nested(ReactionSchema), required=True)
    next = fields.Url(
        allow_none=True,
        required=True,
        metadata={"description": "The next page; none after the last."},
    )
