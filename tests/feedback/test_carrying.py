"""Reactions carried into the next version at publication (reviewhub.feedback.carrying):
every reaction reaches every later version, in the right state, once; drafts carry nothing;
a failed publication leaves nothing carried."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from reviewhub import publishing
from reviewhub.feedback.carrying import carry_all, carry_forward, places_in
from reviewhub.feedback.moderation import hide_comment
from reviewhub.feedback.posting import Passage, post_comment
from reviewhub.models import (
    CarriedReaction,
    CarryState,
    Comment,
    Role,
    Section,
    User,
    Version,
    VersionStatus,
)
from tests.factories import make_document, publish, reaction

pytestmark = pytest.mark.usefixtures("app_context")

OPEN = {"status": VersionStatus.OPEN, "closes_on": date(2099, 12, 31)}
V1 = """# Regie

De regie ligt bij het lokale team. Het team maakt samen met het gezin een veiligheidsplan
en bespreekt dat elke zes weken.

# Verwijzing

Een verwijzing gaat via de huisarts of de wijkcoach.

# Samenwerking

Partners delen informatie alleen met toestemming van het gezin.
"""
# The passage in Regie changes a word, Verwijzing goes, Samenwerking stays as it was.
V2 = """# Regie

De regie ligt bij het lokale team. Het team maakt samen met het gezin een actueel
veiligheidsplan en bespreekt dat elke zes weken.

# Samenwerking

Partners delen informatie alleen met toestemming van het gezin.
"""
# The reaction's passage in Regie is rewritten beyond recognition.
V3 = """# Regie

Het lokale team voert de regie; het gezin stelt met hulp van de wijkcoach een plan op.

# Samenwerking

Partners delen informatie alleen met toestemming van het gezin.

# Nieuw

Een nieuwe paragraaf over evaluatie.
"""


def section(session: Session, version: Version, key: str) -> Section:
    return session.scalars(
        select(Section).where(Section.version_id == version.id, Section.key == key)
    ).one()


def react(session: Session, person: User, target: Section, body: str, exact: str | None = None):
    passage = Passage(exact, start=target.text.index(exact)) if exact else None
    return post_comment(session, person, target, reaction(body, passage=passage))


def carried(session: Session, version: Version) -> dict[int, CarriedReaction]:
    rows = session.scalars(select(CarriedReaction).where(CarriedReaction.version_id == version.id))
    return {row.comment_id: row for row in rows}


@pytest.fixture
def reviewer(people: dict[Role, User]) -> User:
    return people[Role.REVIEWER]


def test_reactions_reach_every_later_version_in_the_right_state(session, reviewer):
    document = make_document(session)
    v1 = publish(session, document, V1, label="V1", **OPEN)
    on_passage = react(session, reviewer, section(session, v1, "regie"), "Wie?",
                       "samen met het gezin een veiligheidsplan")  # fmt: skip
    on_section = react(session, reviewer, section(session, v1, "regie"), "Over de regie.")
    on_removed = react(session, reviewer, section(session, v1, "verwijzing"), "En de GGD?")
    on_kept = react(session, reviewer, section(session, v1, "samenwerking"), "Toestemming?",
                    "alleen met toestemming")  # fmt: skip

    v2 = publish(session, document, V2, label="V2", **OPEN)
    in_v2 = carried(session, v2)
    assert set(in_v2) == {on_passage.id, on_section.id, on_removed.id, on_kept.id}
    moved = in_v2[on_passage.id]
    assert moved.state is CarryState.CHANGED
    assert moved.section_id == section(session, v2, "regie").id
    assert moved.quote_exact == "samen met het gezin een actueel veiligheidsplan"
    regie_text = section(session, v2, "regie").text
    assert regie_text[moved.quote_start : moved.quote_end] == moved.quote_exact
    assert in_v2[on_section.id].state is CarryState.CHANGED  # the section's text changed
    assert (in_v2[on_removed.id].state, in_v2[on_removed.id].section_id) == (
        CarryState.SECTION_REMOVED, None)  # fmt: skip
    kept = in_v2[on_kept.id]
    assert kept.state is CarryState.UNCHANGED
    assert kept.section_id == section(session, v2, "samenwerking").id
    assert (kept.quote_start, kept.quote_end) == (on_kept.quote_start, on_kept.quote_end)

    on_v2 = react(session, reviewer, section(session, v2, "samenwerking"), "Ook schriftelijk?")
    v3 = publish(session, document, V3, label="V3", **OPEN)
    in_v3 = carried(session, v3)
    # Nothing is lost: everything on v1 and v2 is in v3, placed or marked.
    assert set(in_v3) == {on_passage.id, on_section.id, on_removed.id, on_kept.id, on_v2.id}
    assert in_v3[on_passage.id].state is CarryState.ORPHANED
    assert in_v3[on_passage.id].section_id == section(session, v3, "regie").id
    assert in_v3[on_removed.id].state is CarryState.SECTION_REMOVED
    assert in_v3[on_kept.id].state is CarryState.UNCHANGED
    assert in_v3[on_v2.id].state is CarryState.UNCHANGED

    v4 = publish(session, document, V3.replace("evaluatie", "evaluatie en leren"), label="V4",
                 **OPEN)  # fmt: skip
    assert carried(session, v4)[on_passage.id].state is CarryState.ORPHANED  # stays an orphan
    reached = {place.comment_id for place in places_in(session, v4)}
    assert reached == {on_passage.id, on_section.id, on_removed.id, on_kept.id, on_v2.id}


def test_carrying_twice_adds_nothing(session, reviewer):
    document = make_document(session)
    v1 = publish(session, document, V1, label="V1", **OPEN)
    react(session, reviewer, section(session, v1, "regie"), "Wie?")
    v2 = publish(session, document, V2, label="V2", **OPEN)
    assert carry_forward(session, v2, v1) == 0
    assert len(carried(session, v2)) == 1


def test_drafts_carry_nothing_and_the_next_public_version_carries_past_them(session, reviewer):
    document = make_document(session)
    v1 = publish(session, document, V1, label="V1", **OPEN)
    mine = react(session, reviewer, section(session, v1, "samenwerking"), "Toestemming?")
    draft = publish(session, document, V2, label="Concept", status=VersionStatus.DRAFT)
    assert carried(session, draft) == {}
    v3 = publish(session, document, V3, label="V3", **OPEN)
    assert carried(session, v3)[mine.id].state is CarryState.UNCHANGED


def test_a_failed_publication_leaves_nothing_carried(session, reviewer, monkeypatch):
    document = make_document(session)
    v1 = publish(session, document, V1, label="V1", **OPEN)
    react(session, reviewer, section(session, v1, "regie"), "Wie?", "een veiligheidsplan")
    session.flush()

    def fail(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the audit log is unreachable")

    monkeypatch.setattr(publishing.audit, "record", fail)
    savepoint = session.begin_nested()
    with pytest.raises(RuntimeError):
        publish(session, document, V2, label="V2", **OPEN)
    savepoint.rollback()
    assert session.scalar(select(func.count()).select_from(CarriedReaction)) == 0
    assert session.scalar(select(func.count()).where(Comment.version_id == v1.id)) == 1


def test_a_change_to_a_carried_reaction_renews_what_later_versions_keep(session, reviewer):
    """Hidden or edited on its own version, it is shown differently on the later ones: their
    feedback revision moves on too, so nothing kept of them is shown stale."""
    document = make_document(session)
    v1 = publish(session, document, V1, label="V1", **OPEN)
    mine = react(session, reviewer, section(session, v1, "regie"), "Wie?")
    v2 = publish(session, document, V2, label="V2", **OPEN)
    session.flush()
    before = session.scalar(select(Version.feedback_revision).where(Version.id == v2.id))
    hide_comment(session, reviewer, mine, "Niet ter zake.")
    session.flush()
    after = session.scalar(select(Version.feedback_revision).where(Version.id == v2.id))
    assert after != before


def test_a_reaction_on_an_older_open_version_is_carried_when_posted(session, reviewer):
    """Version 1 still open while versions 2 and 3 are out: a reaction posted on it reaches
    them at once, its passage found again in each (changed in 2, gone in 3)."""
    document = make_document(session)
    v1 = publish(session, document, V1, label="V1", **OPEN)
    v2 = publish(session, document, V2, label="V2", **OPEN)
    v3 = publish(session, document, V3, label="V3", **OPEN)
    session.flush()
    before = (v2.feedback_revision, v3.feedback_revision)
    late = react(session, reviewer, section(session, v1, "regie"), "Nog een vraag.",
                 "samen met het gezin een veiligheidsplan")  # fmt: skip
    assert carried(session, v2)[late.id].state is CarryState.CHANGED
    assert carried(session, v3)[late.id].state is CarryState.ORPHANED
    # What the later versions keep of their reactions (counts) is made again.
    session.expire_all()
    assert (v2.feedback_revision, v3.feedback_revision) != before
    removed = react(session, reviewer, section(session, v1, "verwijzing"), "En de GGD?")
    assert carried(session, v2)[removed.id].state is CarryState.SECTION_REMOVED
    assert carried(session, v3)[removed.id].state is CarryState.SECTION_REMOVED
    # A reply is part of its thread, not carried by itself.
    reply = post_comment(session, reviewer, section(session, v1, "regie"),
                         reaction("Aanvulling", kind=None), late)  # fmt: skip
    assert reply.id not in carried(session, v2)
    assert carry_all(session, document) == 0  # nothing left to catch up


def test_carry_all_catches_up_what_was_not_carried(session, reviewer):
    """Reactions from before carrying existed (here: their rows removed) are carried by
    carry_all (the `carry-forward` command), through every later version, once."""
    document = make_document(session)
    v1 = publish(session, document, V1, label="V1", **OPEN)
    v2 = publish(session, document, V2, label="V2", **OPEN)
    v3 = publish(session, document, V3, label="V3", **OPEN)
    late = react(session, reviewer, section(session, v1, "samenwerking"), "Nog een vraag.")
    session.execute(delete(CarriedReaction))
    assert carry_all(session, document) == 2
    assert late.id in carried(session, v2) and late.id in carried(session, v3)
    assert carry_all(session, document) == 0
