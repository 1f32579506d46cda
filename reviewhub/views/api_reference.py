"""The API's reference page, /api/v1/reference: the OpenAPI description that flask-smorest
generates (/api/v1/openapi.json) rendered as a readable page of the server's own, without
JavaScript. Whatever endpoints the description holds are shown, in a generic way.

The functions below turn the description (a plain dict) into tags, operations, parameters
and field tables; they need no app, so they are tested on hand-made descriptions. ``$ref``s
are followed into the description's components; a schema that contains itself is expanded
once and then named, never followed again."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ..models import TokenScope
from .api_common import api

bp = Blueprint("api_reference", __name__)

Node = Mapping[str, Any]
METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
# Deeper than any real shape; it ends inline schemas nested without a $ref to stop at.
MAX_DEPTH = 8
# Bounds that only restate the size of a database integer (flask-smorest writes them for
# every id) tell a reader nothing.
MEANINGLESS_BOUND = 2**31
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
          "maxLength", "minItems", "maxItems", "pattern")  # fmt: skip
SCHEMA_PREFIX = "#/components/schemas/"
# What a token with each scope may do, always within what its holder may do anyway.
SCOPES = {
    TokenScope.READ: _l("Read what you may read on the site."),
    TokenScope.WRITE: _l("React, reply, and change or withdraw your own reactions."),
    TokenScope.REVIEW: _l("Decide on reactions, for members of a review group."),
}


@dataclass(frozen=True)
class Type:
    """A schema's type as the page shows it: a component's name, JSON types (with a
    format), an array's items, a map's values, or alternatives (anyOf/oneOf)."""

    names: tuple[str, ...] = ()
    schema: str | None = None
    format: str | None = None
    items: Type | None = None
    values: Type | None = None
    options: tuple[Type, ...] = ()


@dataclass(frozen=True)
class Rules:
    """What a value may be: its allowed values, its default (as JSON) and its bounds."""

    enum: tuple[str, ...] = ()
    default: str | None = None
    bounds: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Field:
    name: str  # the path from the body's top: items[].target.source
    type: Type
    required: bool
    description: str
    rules: Rules
    repeats: str | None = None  # a schema inside itself: its fields are those above


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool
    type: Type
    description: str
    rules: Rules


@dataclass(frozen=True)
class Body:
    media_type: str
    type: Type
    fields: tuple[Field, ...]
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Response:
    status: str  # "200", "default"
    description: str
    body: Body | None
    headers: tuple[str, ...]


@dataclass(frozen=True)
class Requirement:
    scheme: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    deprecated: bool
    security: tuple[Requirement, ...] | None  # None: the description does not say
    parameters: tuple[Parameter, ...]
    request: Body | None
    responses: tuple[Response, ...]

    @property
    def scopes(self) -> tuple[str, ...]:
        """The scopes that the alternatives of ``security`` name, each once."""
        found = (scope for r in self.security or () for scope in r.scopes)
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Tag:
    name: str  # "" for the operations without a tag
    title: str
    description: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Reference:
    title: str
    version: str
    description: str
    tags: tuple[Tag, ...]
    shared: tuple[Schema, ...]  # the error bodies, shown once instead of per operation

    @property
    def shared_names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.shared)


# References ---------------------------------------------------------------------------


def resolve(spec: Node, node: Any) -> tuple[Node, str | None]:
    """``node`` with its ``$ref`` chain followed, and the component schema's name when it
    is one. An unknown or circular chain gives an empty schema."""
    name, seen = None, set()
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen:
            return {}, name
        seen.add(ref)
        name = ref.removeprefix(SCHEMA_PREFIX) if ref.startswith(SCHEMA_PREFIX) else name
        node = _pointer(spec, ref)
    return (node, name) if isinstance(node, Mapping) else ({}, name)


def _pointer(spec: Node, ref: str) -> Any:
    """The part of the description a local JSON pointer (``#/components/…``) names."""
    if not ref.startswith("#/"):
        return None
    found: Any = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(found, Mapping) or part not in found:
            return None
        found = found[part]
    return found


def _alternatives(node: Node) -> list[Any]:
    return list(node.get("anyOf") or node.get("oneOf") or [])


def _is_null(spec: Node, node: Any) -> bool:
    return resolve(spec, node)[0].get("type") == "null"


# Types --------------------------------------------------------------------------------


def _names(node: Node) -> tuple[str, ...]:
    kind = node.get("type", ())
    return (kind,) if isinstance(kind, str) else tuple(str(k) for k in kind)


def _is_object(spec: Node, node: Node) -> bool:
    return "object" in _names(node) or bool(_object_parts(spec, node)[0])


def describe_type(spec: Node, schema: Any, depth: int = 0) -> Type:
    node, name = resolve(spec, schema)
    if name and _is_object(spec, node):
        return Type(schema=name)  # its fields are listed under it
    if depth >= MAX_DEPTH:
        return Type(names=_names(node))
    options = tuple(describe_type(spec, option, depth + 1) for option in _alternatives(node))
    items = node.get("items")
    values = node.get("additionalProperties")
    return Type(
        names=_names(node),
        format=node.get("format"),
        items=describe_type(spec, items, depth + 1) if isinstance(items, Mapping) else None,
        values=describe_type(spec, values, depth + 1) if isinstance(values, Mapping) else None,
        options=options,
    )


def rules(spec: Node, schema: Any) -> Rules:
    """The rules of the schema itself and of what its ``$ref`` names; its own win."""
    node = {**resolve(spec, schema)[0], **(schema if isinstance(schema, Mapping) else {})}
    enum = tuple(v if isinstance(v, str) else json.dumps(v) for v in node.get("enum", ()))
    default = json.dumps(node["default"]) if "default" in node else None
    bounds = tuple((key, node[key]) for key in BOUNDS if key in node and _tells(node[key]))
    return Rules(enum=enum, default=default, bounds=bounds)


def _tells(bound: Any) -> bool:
    return not isinstance(bound, int | float) or abs(bound) < MEANINGLESS_BOUND


# Fields -------------------------------------------------------------------------------


def _object_parts(spec: Node, node: Node, depth: int = 0) -> tuple[dict[str, Any], set[str]]:
    """An object's properties and required names, with those of its ``allOf`` parts."""
    properties: dict[str, Any] = {}
    required: set[str] = set()
    if depth < MAX_DEPTH:
        for part in node.get("allOf", ()):
            more, needed = _object_parts(spec, resolve(spec, part)[0], depth + 1)
            properties.update(more)
            required |= needed
    own = node.get("properties")
    properties.update(own if isinstance(own, Mapping) else {})
    required |= set(node.get("required", ()))
    return properties, required


def _inner(spec: Node, schema: Any, depth: int = 0) -> tuple[Node, str | None, str]:
    """The schema a field's own fields come from, through arrays and "or null": the
    schema, its component name, and ``[]`` for each array passed on the way."""
    node, name = resolve(spec, schema)
    if depth >= MAX_DEPTH:
        return node, name, ""
    others = [option for option in _alternatives(node) if not _is_null(spec, option)]
    if len(others) == 1:
        return _inner(spec, others[0], depth + 1)
    if "array" in _names(node) and isinstance(node.get("items"), Mapping):
        found, found_name, marks = _inner(spec, node["items"], depth + 1)
        return found, found_name, "[]" + marks
    return node, name, ""


def body_fields(spec: Node, schema: Any) -> tuple[Field, ...]:
    """The fields of a body: of its items when it is an array (a list of documents)."""
    node, name, _ = _inner(spec, schema)
    return tuple(_fields(spec, node, "", frozenset({name} if name else ())))


def _fields(spec: Node, node: Node, prefix: str, seen: frozenset[str]) -> list[Field]:
    properties, required = _object_parts(spec, node)
    found: list[Field] = []
    for key, schema in properties.items():
        path = prefix + key
        inner, name, marks = _inner(spec, schema)
        repeats = name if name in seen else None
        found.append(_field(spec, path, schema, key in required, repeats))
        if repeats is None and prefix.count(".") < MAX_DEPTH:
            more = seen | {name} if name else seen
            found.extend(_fields(spec, inner, f"{path}{marks}.", more))
    return found


def _field(spec: Node, path: str, schema: Any, required: bool, repeats: str | None) -> Field:
    return Field(path, describe_type(spec, schema), required, _description(spec, schema),
                 rules(spec, schema), repeats)  # fmt: skip


def _description(spec: Node, node: Any) -> str:
    own = node.get("description") if isinstance(node, Mapping) else None
    return str(own or resolve(spec, node)[0].get("description") or "")


# Operations ---------------------------------------------------------------------------


def parameters(spec: Node, path_item: Node, operation: Node) -> tuple[Parameter, ...]:
    """The path's parameters and the operation's; the operation's replace same-named ones."""
    merged: dict[tuple[str, str], Parameter] = {}
    for given in [*path_item.get("parameters", ()), *operation.get("parameters", ())]:
        found = _parameter(spec, resolve(spec, given)[0])
        merged[(found.name, found.location)] = found
    return tuple(merged.values())


def _parameter(spec: Node, node: Node) -> Parameter:
    schema = node.get("schema", {})
    location = str(node.get("in", ""))
    return Parameter(
        name=str(node.get("name", "")),
        location=location,
        required=bool(node.get("required")) or location == "path",
        type=describe_type(spec, schema),
        description=str(node.get("description") or _description(spec, schema)),
        rules=rules(spec, schema),
    )


def _body(spec: Node, holder: Any) -> Body | None:
    """The JSON body a request body or response describes (else its first one)."""
    node = resolve(spec, holder)[0]
    content = node.get("content")
    if not isinstance(content, Mapping) or not content:
        return None
    media_type = next((m for m in content if m.endswith("json")), next(iter(content)))
    media = content[media_type]
    schema = media.get("schema", {}) if isinstance(media, Mapping) else {}
    return Body(media_type, describe_type(spec, schema), body_fields(spec, schema),
                str(node.get("description", "")), bool(node.get("required")))  # fmt: skip


def _status_order(status: str) -> tuple[int, str]:
    return (0, status) if status[:1].isdigit() else (1, status)


def responses(spec: Node, operation: Node) -> tuple[Response, ...]:
    given = operation.get("responses", {})
    return tuple(
        _response(spec, str(status), given[status])
        for status in sorted(given, key=lambda s: _status_order(str(s)))
    )


def _response(spec: Node, status: str, given: Any) -> Response:
    node = resolve(spec, given)[0]
    headers = tuple(str(h) for h in node.get("headers", {}))
    return Response(status, str(node.get("description", "")), _body(spec, node), headers)


def security(spec: Node, operation: Node) -> tuple[Requirement, ...] | None:
    """What the operation needs (else what the whole API needs); None when neither says."""
    given = operation.get("security", spec.get("security"))
    if given is None:
        return None
    return tuple(
        Requirement(str(scheme), tuple(str(s) for s in scopes))
        for alternative in given
        for scheme, scopes in alternative.items()
    )


def anchor(method: str, path: str, operation: Node) -> str:
    """The id of the operation's heading: its operationId, else its method and path."""
    given = operation.get("operationId")
    text = str(given) if given else f"{method}-{path.replace('{', '').replace('}', '')}"
    return "op-" + re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-").lower()


def operation(spec: Node, method: str, path: str, path_item: Node) -> Operation:
    node = path_item[method]
    return Operation(
        method=method.upper(),
        path=path,
        anchor=anchor(method, path, node),
        summary=str(node.get("summary", "")),
        description=str(node.get("description", "")),
        deprecated=bool(node.get("deprecated")),
        security=security(spec, node),
        parameters=parameters(spec, path_item, node),
        request=_body(spec, node["requestBody"]) if "requestBody" in node else None,
        responses=responses(spec, node),
    )


def operations(spec: Node) -> Iterable[tuple[str, Operation]]:
    """Every operation with its first tag ("" for none), in the description's path order."""
    for path, item in spec.get("paths", {}).items():
        path_item = resolve(spec, item)[0]
        for method in METHODS:
            if isinstance(path_item.get(method), Mapping):
                tags = path_item[method].get("tags") or [""]
                yield str(tags[0]), operation(spec, method, str(path), path_item)


# The whole ----------------------------------------------------------------------------


def tag_title(name: str, description: str, extra: Node) -> tuple[str, str]:
    """A tag's heading and the text under it. flask-smorest names a tag after its
    blueprint ("api_feedback"): a one-line description makes the better heading."""
    if extra.get("x-displayName"):
        return str(extra["x-displayName"]), description
    if description and "\n" not in description.strip() and len(description) <= 80:
        return description.strip().removesuffix("."), ""
    return name, description


def tags(spec: Node) -> tuple[Tag, ...]:
    """The tags in the description's order, then any others the operations name."""
    known = {str(t.get("name")): t for t in spec.get("tags", ())}
    grouped: dict[str, list[Operation]] = {name: [] for name in known}
    for name, found in operations(spec):
        grouped.setdefault(name, []).append(found)
    return tuple(_tag(name, known.get(name, {}), ops) for name, ops in grouped.items() if ops)


def _tag(name: str, extra: Node, ops: list[Operation]) -> Tag:
    title, description = tag_title(name, str(extra.get("description", "")), extra)
    return Tag(name, title, description, tuple(ops))


def shared_schemas(spec: Node, made: Iterable[Tag]) -> tuple[Schema, ...]:
    """The component schemas that error responses (not 2xx) name, such as Problem."""
    names = (
        response.body.type.schema
        for tag in made
        for op in tag.operations
        for response in op.responses
        if not response.status.startswith("2") and response.body
    )
    return tuple(_schema(spec, name) for name in dict.fromkeys(names) if name)


def _schema(spec: Node, name: str) -> Schema:
    ref = {"$ref": SCHEMA_PREFIX + name}
    return Schema(name, _description(spec, ref), body_fields(spec, ref))


def read_reference(spec: Node) -> Reference:
    """The description as the page shows it."""
    info = spec.get("info", {})
    made = tags(spec)
    return Reference(
        title=str(info.get("title", "")),
        version=str(info.get("version", "")),
        description=str(info.get("description", "")),
        tags=made,
        shared=shared_schemas(spec, made),
    )


def bound_text(key: str, value: Any) -> str:
    """A bound of ``rules`` in words, such as "at most 100 characters"."""
    count = value if isinstance(value, int) else 0
    match key:
        case "minimum":
            return _("at least %(value)s", value=value)
        case "maximum":
            return _("at most %(value)s", value=value)
        case "exclusiveMinimum":
            return _("more than %(value)s", value=value)
        case "exclusiveMaximum":
            return _("less than %(value)s", value=value)
        case "minLength":
            return ngettext("at least %(num)d character", "at least %(num)d characters", count)
        case "maxLength":
            return ngettext("at most %(num)d character", "at most %(num)d characters", count)
        case "minItems":
            return ngettext("at least %(num)d item", "at least %(num)d items", count)
        case "maxItems":
            return ngettext("at most %(num)d item", "at most %(num)d items", count)
    return _("matches the pattern %(value)s", value=value)


# The page -----------------------------------------------------------------------------


@bp.get("/api/v1/reference")
def reference() -> str:
    return render_template(
        "api/reference.html",
        reference=read_reference(api.spec.to_dict()),
        openapi_url=url_for("api-docs.openapi_json"),
        scopes=[(scope.value, SCOPES.get(scope, "")) for scope in TokenScope],
        bound_text=bound_text,
    )
