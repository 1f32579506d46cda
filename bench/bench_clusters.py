"""Near-duplicate reactions: how well ``feedback.clusters`` finds them, and how fast.

The data has a known truth. Each section gets ``--points`` base points (300 by default), each
sent again by 2 to 6 "regions" in their own light rewording: synonyms, a clause moved to the
front, a greeting before or a signature after, a typo or two, a sentence added. Beside them
come as many unrelated reactions on the same sections, made from the same vocabulary (the same
subjects, actions, conditions and reasons, recombined), so that reactions on one section share
a good part of their words without making the same point. With 20 sections that is 50,000
reactions or so, the size the brief asks to cluster in a few seconds.

Scores are pairwise: a pair of reactions is a true pair when both re-send the same base point;
precision is the share of the pairs put in one cluster that are true pairs, recall the share
of the true pairs put in one cluster.

Run it from the project root::

    .venv/bin/python bench/bench_clusters.py [--sections 20] [--points 300] [--seed 2026]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from random import Random

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_publish import CONTENT_WORDS

from reviewhub.feedback.clusters import DEFAULT_THRESHOLD, cluster_texts

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)

SUBJECTS = [
    "de jeugdbeschermer", "het veiligheidsteam", "de gezinsvoogd", "de gemeente",
    "het wijkteam", "de school", "de huisarts", "de regiehouder", "Veilig Thuis",
    "de Raad voor de Kinderbescherming", "de gecertificeerde instelling", "de politie",
    "de casusregisseur", "de jeugdarts", "de aandachtsfunctionaris", "het lokale team",
    "de gedragswetenschapper", "de mentor", "de kinderopvang", "de wijkagent",
]  # fmt: skip
MODALS = ["moet", "zou moeten", "dient", "kan beter", "hoort te"]
ACTIONS = [
    "het veiligheidsplan binnen zes weken opstellen", "de ouders eerder betrekken",
    "het kind zelf laten meepraten", "de risicotaxatie jaarlijks herhalen",
    "een vast aanspreekpunt aanwijzen", "de afspraken schriftelijk vastleggen",
    "het netwerk van het gezin uitnodigen", "de voortgang elke maand bespreken",
    "de zorgen delen met de school", "een tolk inschakelen als dat nodig is",
    "de overdracht warm laten verlopen", "de signalen direct melden",
    "de veiligheidsafspraken controleren", "een second opinion aanbieden",
    "de doelen samen met het gezin formuleren", "de dossiers sneller delen",
    "het plan evalueren na drie maanden", "de rol van de vader expliciet maken",
    "een crisisplan klaar hebben liggen", "de wachttijd tot het eerste gesprek beperken",
    "de inzet van specialistische hulp onderbouwen", "de grootouders als steunfiguur zien",
    "het perspectief van het kind opschrijven", "de veiligheid van broertjes en zusjes wegen",
    "een duidelijke eindverantwoordelijke noemen", "de privacyregels uitleggen aan ouders",
    "de casus terugleggen bij het lokale team", "de scholing over huiselijk geweld volgen",
    "het gesprek met beide ouders voeren", "de termijnen in de wet aanhouden",
]  # fmt: skip
CONDITIONS = [
    "bij acute onveiligheid", "wanneer er sprake is van huiselijk geweld",
    "als de ouders gescheiden zijn", "in gezinnen met meerdere hulpverleners",
    "bij een melding van de school", "zodra er een maatregel loopt",
    "als het kind ouder is dan twaalf", "bij verslaving van een ouder",
    "wanneer de situatie na een jaar niet verbetert", "in de eerste week na de melding",
    "bij gezinnen die net verhuisd zijn", "als er een strafzaak loopt",
    "tijdens een uithuisplaatsing", "bij psychische problemen van een ouder",
    "wanneer er taalbarrières zijn", "na een incident in de thuissituatie",
]  # fmt: skip
REASONS = [
    "omdat anders de continuïteit verloren gaat", "want nu weet niemand wie beslist",
    "zodat het gezin niet steeds opnieuw zijn verhaal hoeft te doen",
    "omdat dat in de praktijk vaak misgaat", "want dat voorkomt escalatie",
    "zodat de hulp sneller op gang komt", "omdat de wet dat eigenlijk vraagt",
    "want ouders haken anders af", "zodat signalen niet blijven liggen",
    "omdat het kind anders uit beeld raakt", "want de regio's werken nu allemaal anders",
    "zodat professionals elkaar beter kunnen aanspreken",
]  # fmt: skip
SYNONYMS = {
    "moet": "dient", "dient": "moet", "eerder": "vroeger", "betrekken": "erbij halen",
    "opstellen": "maken", "vastleggen": "noteren", "bespreken": "doornemen",
    "direct": "meteen", "beperken": "verkorten", "duidelijke": "heldere",
    "sneller": "vlotter", "vaak": "geregeld", "misgaat": "fout gaat", "kind": "kindje",
    "gezin": "huishouden", "afspraken": "afspraken en acties", "noemen": "aanwijzen",
    "uitleggen": "toelichten", "volgen": "doen", "jaarlijks": "ieder jaar",
    "elke": "iedere", "zorgen": "bezorgdheid", "wanneer": "als", "omdat": "aangezien",
}  # fmt: skip
OPENINGS = ["Beste reviewgroep,", "Geachte lezer,", "Hallo,", "Namens onze regio:",
            "Beste collega's,", "Wij willen graag het volgende opmerken."]  # fmt: skip
CLOSINGS = ["Met vriendelijke groet, regio {region}.", "Groet, team {region}",
            "Hartelijke groet namens {region}", "Alvast bedankt!", "mvg {region}"]  # fmt: skip
ASIDES = ["Dit speelt bij ons veel.", "Graag aandacht hiervoor.", "Dat zien wij vaak.",
          "Misschien een voorbeeld toevoegen?"]  # fmt: skip
REGIONS = ["Noord", "Oost", "Twente", "Zeeland", "Limburg", "Utrecht", "Flevoland", "Gooi"]


Point = tuple[str, str, str, str, str, str]
LINKS = ["en", "bij", "voor", "van de", "met", "in het", "zonder", "tegenover"]


def base_point(rng: Random) -> Point:
    """A point: a clause from the shared vocabulary (what the section is about) and a
    sentence of its own (what this reaction adds)."""
    words = rng.sample(CONTENT_WORDS, 5)
    first, second = rng.choice(LINKS), rng.choice(LINKS)
    own = f"Denk aan {words[0]} {first} {words[1]}, {words[2]} {second} {words[3]} en {words[4]}."
    return (rng.choice(SUBJECTS), rng.choice(MODALS), rng.choice(ACTIONS),
            rng.choice(CONDITIONS), rng.choice(REASONS), own)  # fmt: skip


def sentence(point: Point, moved: bool) -> str:
    subject, modal, action, condition, reason, own = point
    if moved:  # the condition first: "Bij acute onveiligheid moet de school ..."
        text = f"{condition} {modal} {subject} {action}, {reason}. {own}"
    else:
        text = f"{subject} {modal} {condition} {action}, {reason}. {own}"
    return text[0].upper() + text[1:]


def reword(text: str, rng: Random) -> str:
    """A region's own wording of the same point."""
    words = [SYNONYMS.get(w, w) if rng.random() < 0.3 else w for w in text.split(" ")]
    for _ in range(rng.choice((0, 0, 1, 1, 2))):  # a typo: a letter dropped or two swapped
        position = rng.randrange(len(words))
        word = words[position]
        if len(word) > 3:
            cut = rng.randrange(1, len(word) - 1)
            swapped = word[: cut - 1] + word[cut] + word[cut - 1] + word[cut + 1 :]
            words[position] = word[:cut] + word[cut + 1 :] if rng.random() < 0.5 else swapped
    text = " ".join(words)
    region = rng.choice(REGIONS)
    if rng.random() < 0.5:
        text = f"{rng.choice(OPENINGS)} {text}"
    if rng.random() < 0.3:
        text = f"{text} {rng.choice(ASIDES)}"
    if rng.random() < 0.5:
        text = f"{text} {rng.choice(CLOSINGS).format(region=region)}"
    return text


def make_data(
    sections: int, points: int, rng: Random
) -> tuple[list[tuple[int, int, str]], dict[int, int]]:
    """Reactions as (id, section id, text) and the truth: id → base point (only re-sent ones)."""
    items: list[tuple[int, int, str]] = []
    truth: dict[int, int] = {}
    label = 0
    for section_id in range(1, sections + 1):
        used: set[tuple[str, ...]] = set()
        for _ in range(points):
            point = _fresh(rng, used)
            label += 1
            for _ in range(rng.randint(2, 6)):
                text = reword(sentence(point, moved=rng.random() < 0.4), rng)
                items.append((len(items) + 1, section_id, text))
                truth[len(items)] = label
        for _ in range(points * 4):  # unrelated reactions, as many as the re-sent ones
            point = _fresh(rng, used)
            items.append((len(items) + 1, section_id, reword(sentence(point, False), rng)))
    rng.shuffle(items)
    return items, truth


def _fresh(rng: Random, used: set[tuple[str, ...]]) -> Point:
    while True:
        point = base_point(rng)
        if point not in used:
            used.add(point)
            return point


def _pairs(sizes: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def score(found: dict[int, int], truth: dict[int, int]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of ``found`` against ``truth``."""
    predicted = _pairs(Counter(found.values()))
    true = _pairs(Counter(truth.values()))
    both = _pairs(Counter((cluster, truth.get(i)) for i, cluster in found.items() if i in truth))
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sections", type=int, default=20)
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    items, truth = make_data(args.sections, args.points, Random(args.seed))
    print(f"{len(items):,} reactions on {args.sections} sections, "
          f"{len(truth):,} of them re-sending {len(set(truth.values())):,} points\n")  # fmt: skip
    print("| threshold | precision | recall | F1 | clustered | seconds |")
    print("|---|---|---|---|---|---|")
    for threshold in THRESHOLDS:
        started = time.perf_counter()
        found = cluster_texts(items, threshold)
        seconds = time.perf_counter() - started
        precision, recall, f1 = score(found, truth)
        chosen = " (default)" if threshold == DEFAULT_THRESHOLD else ""
        print(f"| {threshold}{chosen} | {precision:.3f} | {recall:.3f} | {f1:.3f} "
              f"| {len(found):,} | {seconds:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
