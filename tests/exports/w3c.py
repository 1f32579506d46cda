"""The W3C Web Annotation conformance schemas (wpt's annotation-model folder, kept beside the
repository in ``../shared/w3c-annotation-model``) as checks: each a name, the message its
failure reports, and a draft-04 validator that checks formats (``uri``, ``date-time``).

Tests that use them skip, saying where they looked, when the folder is not there."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

REPOSITORY = Path(__file__).resolve().parents[2]
FOLDER = REPOSITORY.parent / "shared" / "w3c-annotation-model"


@dataclass(frozen=True)
class Check:
    name: str
    message: str
    validator: Draft4Validator

    def failures(self, instance: Any) -> list[str]:
        """What is wrong with ``instance``, empty when it passes."""
        return [
            f"{self.name}: {self.message} ({error.message} at {list(error.absolute_path)})"
            for error in self.validator.iter_errors(instance)
        ]


def folder() -> Path:
    if not (FOLDER / "definitions").is_dir():
        pytest.skip(f"the W3C annotation-model schemas are not at {FOLDER}")
    return FOLDER


@cache
def registry() -> Registry:
    """Every definition file, under its own id (its file name)."""
    resources = []
    for path in sorted((folder() / "definitions").glob("*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["id"], DRAFT4.create_resource(schema)))
    return Registry().with_resources(resources)


def _validator(schema: dict[str, Any]) -> Draft4Validator:
    Draft4Validator.check_schema(schema)
    return Draft4Validator(
        schema, registry=registry(), format_checker=Draft4Validator.FORMAT_CHECKER
    )


@cache
def annotation_musts() -> tuple[Check, ...]:
    """The assertions of ``annotations/annotationMusts.test``: an annotation conforms when
    it passes every one."""
    test = json.loads((folder() / "annotations" / "annotationMusts.test").read_text("utf-8"))
    checks = []
    for assertion in test["assertions"]:
        schema = json.loads((folder() / assertion).read_text(encoding="utf-8"))
        assert schema["assertionType"] == "must" and schema["expectedResult"] == "valid"
        message = schema.get("errorMessage") or schema["title"]
        checks.append(Check(assertion, message, _validator(schema)))
    return tuple(checks)


def _definition(name: str) -> Check:
    """The check ``collections.json#/definitions/<name>``, reporting its description."""
    definitions = json.loads((folder() / "definitions" / "collections.json").read_text("utf-8"))
    description = definitions["definitions"][name]["description"]
    return Check(name, description, _validator({"$ref": f"collections.json#/definitions/{name}"}))


def _context(*, required: bool) -> Check:
    value = {
        "oneOf": [
            {"$ref": "collections.json#/definitions/contextValueFound"},
            {"$ref": "collections.json#/definitions/contextValueInArrayFound"},
        ]
    }
    schema: dict[str, Any] = {"type": "object", "properties": {"@context": value}}
    if required:
        schema["required"] = ["@context"]
    return Check("@context", "the anno.jsonld context", _validator(schema))


def _id() -> Check:
    return Check(
        "id", "a single id of format uri", _validator({"$ref": "id.json#/definitions/idValueFound"})
    )


@cache
def collection_checks() -> tuple[Check, ...]:
    """What ``definitions/collections.json`` asks of an AnnotationCollection (model 5.1):
    the collection's own keys, and ``first`` (an embedded page, or its address) when it
    holds any annotations."""
    return (
        _context(required=True),
        _id(),
        _definition("annotationCollectionTypeValueFound"),
        _definition("labelDefinition"),
        _definition("totalFound"),
        _definition("firstValidIfPresent"),
        _definition("firstRequiredIfTotalMoreThanZero"),
        _definition("lastValidIfPresent"),
    )


@cache
def page_checks(*, standalone: bool) -> tuple[Check, ...]:
    """What ``definitions/collections.json`` asks of an AnnotationPage (model 5.2); one
    embedded in its collection has no ``@context`` of its own."""
    return (
        _context(required=standalone),
        _id(),
        _definition("annotationPageTypeValueFound"),
        _definition("partOfFound"),
        _definition("startIndexFound"),
        _definition("nextValidIfPresent"),
        _definition("prevValidIfPresent"),
        _definition("itemsFound"),
    )


def failures(checks: tuple[Check, ...], instance: Any) -> list[str]:
    return [failure for check in checks for failure in check.failures(instance)]


@cache
def motivation_check() -> Check:
    """The motivation is one of the model's (section 3.3.5): not among the MUSTs, which leave
    motivation and purpose unchecked."""
    schema = {"$ref": "annotations.json#/definitions/motivationRecognizedIfPresent"}
    return Check("motivationRecognizedIfPresent", "a motivation of the model", _validator(schema))


@cache
def purpose_check() -> Check:
    """A body's purpose is one of the model's motivations (section 3.3.5)."""
    schema = {"$ref": "annotations.json#/definitions/motivationList"}
    return Check("motivationList", "a purpose of the model", _validator(schema))
