"""Every entry's deck: two derived cards and the cards its author wrote, with stable keys."""

from __future__ import annotations

from app.content.pipeline.compile import compile_content
from tests.conftest import write_content


def deck(content_dir, slug):
    return {c.key: c for c in compile_content(content_dir).docs[slug].deck}


def test_derived_cards_ask_for_the_meaning_and_for_the_name(content_dir):
    cards = deck(content_dir, "k-means")
    name, meaning = cards["name"], cards["meaning"]
    assert name.kind == "name" and "K-means clustering" in name.front_html and "k means" in name.front_md
    assert "Splits points into k groups" in name.back_md and 'href="/entries/k-means"' in name.back_html
    assert meaning.front_md == "Splits points into k groups around their means."
    assert meaning.answers == ["K-means clustering", "k means", "kmeans", "KMC"]
    inertia = deck(content_dir, "inertia")["meaning"]
    assert "Inertia" not in inertia.front_md and "WCSS" not in inertia.front_md


def test_names_in_the_summary_are_masked_on_the_meaning_card(content_dir):
    write_content(
        content_dir,
        {
            "misc/dropout.md": "---\ntitle: Dropout\naliases: [dropout layer]\n"
            "summary: Dropout switches off random units; a dropout layer does it in training.\n---\nBody.\n"
        },
    )
    assert (
        deck(content_dir, "dropout")["meaning"].front_md == "[…] switches off random units; a […] does it in training."
    )


def test_cards_false_keeps_only_the_written_cards(content_dir):
    write_content(content_dir, {"misc/quiet.md": "---\ntitle: Quiet\ncards: false\n---\nBody.\n\nWhy?::Because.\n"})
    cards = deck(content_dir, "quiet")
    assert [c.kind for c in cards.values()] == ["basic"]


def test_a_card_keeps_its_key_when_its_answer_changes_and_gets_a_new_one_with_a_new_question(content_dir):
    path = content_dir / "misc/edit.md"
    write_content(content_dir, {"misc/edit.md": "---\ntitle: Edit\n---\nBody.\n\nWhy scale?::So none dominates.\n"})
    [before] = [k for k in deck(content_dir, "edit") if k.startswith("q-")]
    path.write_text(path.read_text().replace("So none dominates.", "So that **no** feature dominates."))
    assert [k for k in deck(content_dir, "edit") if k.startswith("q-")] == [before]
    path.write_text(path.read_text().replace("Why scale?", "Why scale features?"))
    assert [k for k in deck(content_dir, "edit") if k.startswith("q-")] != [before]
