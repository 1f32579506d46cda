"""What the JSON API answers, as marshmallow schemas: flask-smorest serialises the views'
results with them and generates the OpenAPI description from them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..models import Attribution, CommentKind, Disposition
from ..search import MAX_QUERY, Kind
from .helpers import MAX_ID

QUESTION_ID = {
    "description": "The id of the consultation question it answers (see the version's "
    "questions): one about the whole version or about its section."
}


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
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Per field, what is wrong with it."},
    )
    current = fields.Nested(
        "DecisionSchema",
        metadata={"description": "With a decision made meanwhile (409): the one that stands."},
    )


class ReactionQuerySchema(Schema):
    """The workspace's filters, and a cursor: the reactions after ``after`` (their ids rise)."""

    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_ID))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=100))
    section = fields.String(validate=validate.Length(max=100))
    kind = fields.String(validate=validate.OneOf([k.value for k in CommentKind]))
    status = fields.String(validate=validate.OneOf([d.value for d in Disposition]))
    group = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    question = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only the answers to this consultation question."},
    )


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


class QuestionRefSchema(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)


class QuestionSchema(QuestionRefSchema):
    section = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The key of the section it is about; none: the whole version."},
    )
    answers = fields.Integer(
        required=True, metadata={"description": "The reactions you may read that answer it."}
    )


class ReactionSchema(Schema):
    id = fields.Integer(required=True)
    reference = fields.String(required=True, metadata={"description": "Empty for a reply."})
    url = fields.Url(required=True, metadata={"description": "Its place on the site."})
    api_url = fields.Url(required=True)
    document = fields.String(required=True)
    version = fields.Integer(required=True)
    section = fields.String(required=True, metadata={"description": "The section's key."})
    kind = fields.String(
        allow_none=True, metadata={"enum": [*(k.value for k in CommentKind), None]}
    )
    in_reply_to = fields.Integer(allow_none=True, required=True)
    question = fields.Nested(
        QuestionRefSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The consultation question it answers, if any."},
    )
    group = fields.String(allow_none=True)
    author = fields.String(
        required=True, metadata={"description": "As its author chose to be named in public."}
    )
    created = fields.DateTime(required=True)
    edited = fields.DateTime(allow_none=True, required=True)
    body = fields.String(allow_none=True, metadata={"description": "None once deleted or hidden."})
    proposed_wording = fields.String(allow_none=True)
    target = fields.Nested(TargetSchema, required=True)
    status = fields.String(required=True, metadata={"enum": [d.value for d in Disposition]})
    motivation = fields.String(allow_none=True)
    replies = fields.Integer(required=True)
    hidden = fields.Boolean(required=True)
    withdrawn = fields.Boolean(required=True)
    mine = fields.Boolean(required=True)


class ReactionPageSchema(Schema):
    items = fields.List(fields.Nested(ReactionSchema), required=True)
    next = fields.Url(
        allow_none=True,
        required=True,
        metadata={"description": "The next page; none after the last."},
    )


class PassageSchema(Schema):
    """The passage a reaction is about, as a W3C TextQuoteSelector (with a TextPosition start
    when known): the server finds it in the section's text, also after small differences."""

    exact = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    prefix = fields.String(load_default="", validate=validate.Length(max=500))
    suffix = fields.String(load_default="", validate=validate.Length(max=500))
    start = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=0, max=10**7)
    )


class NewReactionSchema(Schema):
    section = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The section's key (see the version's sections)."},
    )
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in CommentKind]))
    body = fields.String(
        required=True,
        validate=validate.Length(max=20000),
        metadata={"description": "At most 2,000 characters once trimmed."},
    )
    group = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The group's id the reaction speaks for; see /api/v1/me."},
    )
    visibility = fields.String(load_default="public", validate=validate.OneOf(["public", "group"]))
    passage = fields.Nested(PassageSchema, load_default=None, allow_none=True)
    question_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata=QUESTION_ID,
    )
    proposed_wording = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=20000),
        metadata={"description": "New wording for the passage: in a suggestion only."},
    )
    client_token = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=64),
        metadata={
            "description": "Any unique string: the same request sent twice stores one "
            "reaction and answers with it."
        },
    )
    attribution = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([a.value for a in Attribution]),
        metadata={
            "description": "How your reactions are signed in public: name, function and "
            "organisation (full), or only organisation and group. Needed once, at your "
            "first reaction, as on the site; it can be changed on your profile."
        },
    )


class NewReplySchema(Schema):
    body = fields.String(required=True, validate=validate.Length(max=20000))
    client_token = NewReactionSchema().fields["client_token"]


class ReactionEditSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(max=20000))
    proposed_wording = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=20000)
    )
    question_id = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={**QUESTION_ID, "description": QUESTION_ID["description"] + " Left out: "
                  "unchanged; null: none."},
    )  # fmt: skip


class PageQuerySchema(Schema):
    after = ReactionQuerySchema().fields["after"]
    limit = ReactionQuerySchema().fields["limit"]


class AnswerSchema(Schema):
    verdict = fields.String(required=True)
    body = fields.String(required=True)
    created = fields.DateTime(required=True)


class DecisionSchema(Schema):
    reaction = fields.Integer(required=True)
    reference = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": [d.value for d in Disposition]})
    motivation = fields.String(allow_none=True, required=True)
    duplicate_of = fields.String(
        allow_none=True, required=True, metadata={"description": "The other reaction's reference."}
    )
    decided_at = fields.DateTime(allow_none=True, required=True)
    taken_in_version = fields.Integer(allow_none=True, required=True)
    revision = fields.Integer(
        required=True,
        metadata={
            "description": "Send it back when deciding: a decision made meanwhile by "
            "someone else is then a 409 instead of being overwritten."
        },
    )
    answer = fields.Nested(
        AnswerSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The commenter's answer to it."},
    )


class DecisionInSchema(Schema):
    status = fields.String(
        required=True,
        validate=validate.OneOf([d.value for d in Disposition if d is not Disposition.NEW]),
    )
    motivation = fields.String(load_default="", validate=validate.Length(max=20000))
    duplicate_of = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=40)
    )
    revision = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_ID))


class MyGroupSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    may_react_for = fields.Boolean(required=True)


class MeSchema(Schema):
    name = fields.String(required=True)
    email = fields.String(required=True)
    groups = fields.List(fields.Nested(MyGroupSchema), required=True)
    reactions = fields.Url(required=True, metadata={"description": "Everything I wrote."})


class SearchQuerySchema(Schema):
    """What to search for (words; a phrase between double quotes), where and what."""

    q = fields.String(required=True, validate=validate.Length(min=1, max=MAX_QUERY))
    document = fields.String(validate=validate.Length(max=100))
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    kind = fields.List(fields.String(validate=validate.OneOf([k.value for k in Kind])),
                       load_default=list)  # fmt: skip
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID // 20))

    @validates_schema
    def _version_of_a_document(self, data: dict[str, object], **_: object) -> None:
        if "version" in data and "document" not in data:
            raise ValidationError(
                str(_l("A version is a version of a document: give the document too.")), "version"
            )


class SearchHitSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": [k.value for k in Kind]})
    document = fields.String(required=True, metadata={"description": "The document's slug."})
    version = fields.Integer(allow_none=True, required=True)
    section = fields.String(allow_none=True, required=True, metadata={"description": "Its key."})
    reaction = fields.Integer(allow_none=True, required=True, metadata={"description": "Its id."})
    title = fields.String(required=True)
    snippet_html = fields.String(
        required=True,
        metadata={"description": "The text around the match, escaped, the words in <mark>."},
    )
    url = fields.Url(required=True, metadata={"description": "Where it is on the site."})


class SearchPageSchema(Schema):
    total = fields.Integer(required=True, metadata={"description": "At most 1,000: see more."})
    more = fields.Boolean(required=True, metadata={"description": "More hits than total."})
    items = fields.List(fields.Nested(SearchHitSchema), required=True)
    next = fields.Url(allow_none=True, required=True)
