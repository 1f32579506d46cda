"""What the JSON API answers, as marshmallow schemas: flask-smorest serialises the views'
results with them and generates the OpenAPI description from them."""

from __future__ import annotations

from marshmallow import Schema, fields


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
