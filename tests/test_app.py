"""Application set-up: configuration, the embedded database, migrations, translations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from babel.messages.pofile import read_po
from babel.support import Translations
from sqlalchemy import text

from reviewhub import create_app
from reviewhub.database import is_modelled
from reviewhub.extensions import db
from tests.factories import compile_catalogues

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "reviewhub" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"


def test_configuration_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("REVIEWHUB_DATABASE_URL", f"sqlite:///{tmp_path}/elders.sqlite3")
    monkeypatch.setenv("SECRET_KEY", "uit-de-omgeving")
    monkeypatch.setenv("REVIEWHUB_MAX_SOURCE_BYTES", "1234")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("elders.sqlite3")
    assert app.config["SECRET_KEY"] == "uit-de-omgeving"
    assert app.config["MAX_SOURCE_BYTES"] == 1234
    with app.app_context():
        db.engine.dispose()


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("REVIEWHUB_DATABASE_URL", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "sqlite:///" + str(Path(app.instance_path) / "reviewhub.sqlite3")
    )
    assert app.config["BABEL_DEFAULT_LOCALE"] == "nl"
    with app.app_context():
        db.engine.dispose()


def test_embedded_sqlite_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/pragma.sqlite3"})
    with app.app_context(), db.engine.connect() as connection:
        pragma = lambda name: connection.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") >= 5000
    with app.app_context():
        db.engine.dispose()


def test_migrations_create_exactly_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": is_modelled})
        assert compare_metadata(context, db.metadata) == []


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="nl")


def test_every_message_has_a_dutch_translation():
    untranslated = [
        message.id
        for message in _catalogue()
        if message.id
        and (not message.string or (isinstance(message.string, tuple) and not all(message.string)))
    ]
    assert untranslated == []
    assert not any("fuzzy" in message.flags for message in _catalogue() if message.id)


def test_the_catalogue_holds_every_string_in_the_source(tmp_path):
    """A string wrapped in the code but missing from the catalogue would show in English."""
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
            "-k", "_l", "-k", "lazy_gettext", "--no-location", "-o", str(template), ".",
        ],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with template.open("rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    present = {message.id for message in _catalogue() if message.id}
    assert sorted(wanted - present, key=str) == []


# Compiling the catalogue at the start of the run (tests/conftest.py) -------------------------


def _catalogue_in(
    folder: Path, translation: str, *, fuzzy: bool = False, original: str = "Write your reaction."
) -> Path:
    po = folder / "nl" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    flag = "#, fuzzy\n" if fuzzy else ""
    po.write_text(
        f'msgid ""\nmsgstr "Language: nl\\n"\n\n{flag}msgid "{original}"\nmsgstr "{translation}"\n',
        encoding="utf-8",
    )
    return po


def _translated(mo: Path) -> str:
    with mo.open("rb") as handle:
        return Translations(handle).gettext("Write your reaction.")


def test_a_missing_or_outdated_catalogue_is_compiled_and_a_current_one_left_alone(tmp_path):
    po = _catalogue_in(tmp_path, "Schrijf uw reactie.")
    mo = po.with_suffix(".mo")
    assert compile_catalogues(tmp_path) == [mo]
    assert _translated(mo) == "Schrijf uw reactie."
    assert compile_catalogues(tmp_path) == []  # up to date
    _catalogue_in(tmp_path, "Schrijf hier uw reactie.")
    later = mo.stat().st_mtime + 10
    os.utime(po, (later, later))
    assert compile_catalogues(tmp_path) == [mo]
    assert _translated(mo) == "Schrijf hier uw reactie."
    assert {path.name for path in mo.parent.iterdir()} == {"messages.po", "messages.mo"}


def test_fuzzy_translations_are_used_as_pybabel_compile_use_fuzzy_does(tmp_path):
    po = _catalogue_in(tmp_path, "Schrijf uw reactie.", fuzzy=True)
    compile_catalogues(tmp_path)
    assert _translated(po.with_suffix(".mo")) == "Schrijf uw reactie."


def test_a_catalogue_with_errors_stops_the_run_and_writes_nothing(tmp_path):
    po = _catalogue_in(tmp_path, "%(aantal)d tekens", original="%(count)d characters")
    with pytest.raises(pytest.UsageError, match="aantal"):
        compile_catalogues(tmp_path)
    assert not po.with_suffix(".mo").exists()
