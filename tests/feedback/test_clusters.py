"""Near-duplicate reactions (reviewhub.feedback.clusters): the pure clustering of texts, and
the clusters of a version's reactions in the database."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from reviewhub.feedback.clusters import cluster_texts, features, near_duplicates, normalise
from reviewhub.feedback.posting import delete_comment, post_comment
from reviewhub.models import Role, Section, User
from tests.factories import group_named, reaction, sample_section

POINT = (
    "Beste reviewgroep, wij missen in deze paragraaf een duidelijke rol voor de "
    "jeugdbeschermer bij het opstellen van het veiligheidsplan. Met vriendelijke groet, "
    "regio Noord"
)
REWORDED = (
    "In deze paragraaf missen we een duidelijke rol van de jeugdbeschermer bij het opstellen "
    "van het veiligheidsplan!"
)
TYPOS = (
    "Hallo, wij missen in deze paragraaf een duidelijke rol voor de jeugdbeshermer bij het "
    "opstellen van het veiligheidsplan. Groet, regio Noord"
)
OTHER = (
    "De termijn van zes weken voor het veiligheidsplan is te kort voor gezinnen met "
    "meerdere hulpverleners; maak er acht weken van."
)


def test_normalising_drops_courtesy_punctuation_and_case() -> None:
    assert normalise("Beste reviewgroep, Het VEILIGHEIDSPLAN! Groet") == ["veiligheidsplan"]
    assert normalise("reïntegratie") == normalise("reintegratie")
    assert normalise("gezinnen") == normalise("gezin") == ["gezin"]


def test_features_are_words_and_neighbouring_pairs() -> None:
    assert features("rol jeugdbeschermer veiligheidsplan") == {
        "rol", "jeugdbeschermer", "veiligheidsplan",
        "rol jeugdbeschermer", "jeugdbeschermer veiligheidsplan",
    }  # fmt: skip
    assert features("Beste, groet!") == frozenset()


def test_light_rewordings_of_one_point_form_one_cluster() -> None:
    items = [(7, 1, POINT), (3, 1, REWORDED), (9, 1, TYPOS), (4, 1, OTHER)]
    assert cluster_texts(items) == {3: 3, 7: 3, 9: 3}  # the cluster is named by its least id


def test_unrelated_reactions_on_a_section_are_not_merged() -> None:
    items = [
        (1, 1, POINT),
        (2, 1, OTHER),
        (3, 1, "Het veiligheidsplan moet ook met de school worden besproken."),
        (4, 1, "Wie is eindverantwoordelijk voor het veiligheidsplan bij een verhuizing?"),
    ]
    assert cluster_texts(items) == {}


def test_the_same_text_on_other_sections_is_never_merged() -> None:
    items = [(1, 1, POINT), (2, 2, POINT), (3, 3, REWORDED), (4, 2, POINT)]
    assert cluster_texts(items) == {2: 2, 4: 2}


def test_clusters_chain_and_need_two_members() -> None:
    items = [(1, 1, POINT), (2, 1, OTHER), (3, 1, REWORDED), (5, 1, TYPOS), (6, 1, OTHER)]
    found = cluster_texts(items)
    assert found == {1: 1, 3: 1, 5: 1, 2: 2, 6: 2}
    assert cluster_texts([(1, 1, POINT)]) == {}
    assert cluster_texts([]) == {}


def test_empty_and_courtesy_only_texts_are_no_point() -> None:
    items = [(1, 1, ""), (2, 1, "Met vriendelijke groet"), (3, 1, "Beste, groet!")]
    assert cluster_texts(items) == {}


def test_the_threshold_decides_how_close_is_close() -> None:
    items = [(1, 1, POINT), (2, 1, REWORDED)]
    assert cluster_texts(items, threshold=0.3) == {1: 1, 2: 1}
    assert cluster_texts(items, threshold=0.95) == {}
    with pytest.raises(ValueError):
        cluster_texts(items, threshold=0)


def test_many_identical_reactions_still_make_one_cluster() -> None:
    """More copies than the caps on pairwise work: union-find still chains them all."""
    items = [(number, 1, f"{POINT} ({number % 3})") for number in range(1, 1201)]
    found = cluster_texts(items)
    assert set(found) == set(range(1, 1201))
    assert set(found.values()) == {1}


# In the database ----------------------------------------------------------------------------


@pytest.fixture
def section(session: Session) -> Section:
    return sample_section(session)


def _post(session: Session, author: User, section: Section, body: str) -> int:
    group = group_named(session)
    return post_comment(session, author, section, reaction(body, group=group)).id


@pytest.mark.usefixtures("app_context")
def test_a_versions_near_duplicates(session: Session, people: dict[Role, User]) -> None:
    partner = people[Role.PARTNER]
    here, there = sample_section(session), sample_section(session, key="regie")
    first = _post(session, partner, here, POINT)
    second = _post(session, partner, here, REWORDED)
    _post(session, partner, here, OTHER)
    elsewhere = _post(session, partner, there, POINT)
    found = near_duplicates(session, here.version)
    assert found == {first: first, second: first}
    assert elsewhere not in found


@pytest.mark.usefixtures("app_context")
def test_deleted_reactions_and_replies_are_left_out(
    session: Session, people: dict[Role, User], section: Section
) -> None:
    partner = people[Role.PARTNER]
    first = post_comment(session, partner, section, reaction(POINT, group=group_named(session)))
    second = post_comment(session, partner, section, reaction(REWORDED, group=group_named(session)))
    post_comment(session, partner, section, reaction(TYPOS, kind=None), parent=first)
    assert near_duplicates(session, section.version) == {first.id: first.id, second.id: first.id}
    delete_comment(session, partner, second)
    assert near_duplicates(session, section.version) == {}
