"""Guards for the shipped glossary in content/: it builds clean and every name finds its entry."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.content.build_report import check_content
from app.content.pipeline.compile import compile_content
from app.names import name_key

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SEEDS_CHECK = ROOT.parent / "shared" / "tools" / "check_copying.py"


@pytest.fixture(scope="module")
def compiled():
    return compile_content(CONTENT)


def test_shipped_content_builds_without_problems(compiled):
    report, _ = check_content(CONTENT)
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert len(compiled.docs) >= 200
    assert 10 <= len(compiled.categories) <= 15


def test_every_entry_has_front_matter_and_links(compiled):
    for doc in compiled.docs.values():
        meta = yaml.safe_load((CONTENT / doc.path).read_text().split("---")[1])
        assert meta.get("title") and meta.get("category") and meta.get("summary"), doc.path
        assert len(meta["summary"]) <= 220, doc.path
        assert len({link.slug for link in doc.links} - {doc.slug}) >= 3, doc.path
        assert 150 <= len(doc.text.split()) <= 1300, doc.path  # cards included: a few minutes to read


@pytest.mark.skipif(not SEEDS_CHECK.exists(), reason="the seed notes are not beside this checkout")
def test_content_is_in_our_own_words():
    result = subprocess.run([sys.executable, str(SEEDS_CHECK), str(CONTENT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_every_title_and_alias_finds_its_entry(client_on_shipped):
    index = client_on_shipped
    compiled = compile_content(CONTENT)
    misses = []
    for doc in compiled.docs.values():
        for name in [doc.title, *doc.aliases]:
            if not name_key(name):
                continue
            top = [h.slug for h in index.search(name, limit=3).hits]
            if doc.slug not in top:
                misses.append(f"{name!r} -> {top} (want {doc.slug})")
    assert not misses, "\n".join(misses)


@pytest.fixture(scope="module")
def client_on_shipped(tmp_path_factory):
    from app.config import Settings
    from app.site import open_site

    site = open_site(Settings(content_dir=CONTENT, data_dir=tmp_path_factory.mktemp("shipped")), serve=False)
    site.update()
    yield site.index
    site.close()


# -- the second edition (what a learner of ML and DP-100 needs, ready to study) ---------------
# fmt: off
PROMISED = [
    # deep learning
    "batch normalization", "layer normalization", "vanishing gradients", "exploding gradients", "attention",
    "transformer", "residual connection", "learning-rate schedule", "warm-up", "early stopping",
    "gradient clipping", "GRU", "autoencoder", "tanh", "leaky ReLU", "GELU", "saving and loading models",
    "computational graph", "learning curve", "softmax cross-entropy gradient", "logits",
    # statistics and evaluation
    "bias-variance trade-off", "hypothesis testing", "p-value", "confidence interval", "standard error",
    "bootstrap", "central limit theorem", "conditional probability", "Bayes' theorem", "naive Bayes",
    "Bernoulli distribution", "binomial distribution", "Poisson distribution", "expected value",
    "silhouette score", "precision-recall curve", "average precision", "specificity", "balanced accuracy",
    "Matthews correlation coefficient", "calibration", "Gini impurity", "entropy", "information gain",
    "stratified k-fold", "group k-fold", "time series split", "leave-one-out cross-validation",
    "nested cross-validation", "DBSCAN", "Gaussian mixture model", "anomaly detection", "isolation forest",
    "target encoding", "robust scaling",
    # Azure Machine Learning, current
    "datastore", "data asset", "serverless compute", "component", "pipeline job", "managed online endpoint",
    "batch endpoint", "MLflow model deployment", "Responsible AI dashboard", "model monitoring", "registry",
    "job schedule", "managed virtual network", "Azure ML built-in roles", "AutoML primary metric",
    "prompt flow", "evaluating language-model applications", "retrieval-augmented generation",
    "fine-tuning vs retrieval-augmented generation", "Microsoft's Responsible AI principles",
    # look-alikes, side by side
    "precision vs recall", "L1 vs L2 regularization", "bagging vs boosting", "normalization vs standardization",
    "validation set vs test set", "parameter vs hyperparameter",
    "compute instance vs compute cluster vs serverless compute", "online vs batch endpoints",
    "RNN vs LSTM vs GRU", "k-means vs DBSCAN", "PCA vs t-SNE",
    # names that used to send a search to the wrong concept
    "dot product", "L2 norm", "perceptron", "responsible AI",
]
# fmt: on
WRONG_BEFORE = {
    "dot product": "cosine-similarity",
    "L2 norm": "euclidean-distance",
    "responsible AI": "interpretability",
    "perceptron": "artificial-neuron",
    "early stopping": "early-termination-policy",
    "transformer": "fit-transform",
}
DP100_AREAS = {
    "Design and prepare a machine learning solution": "dp-100-design",
    "Explore data, and run experiments": "dp-100-explore",
    "Train and deploy models": "dp-100-train-deploy",
    "Optimize language models for AI applications": "dp-100-language-models",
}


def test_every_concept_the_second_edition_promised_has_its_own_entry(compiled):
    missing = [name for name in PROMISED if compiled.resolver.resolve(name) is None]
    assert missing == []
    wrong = {
        name: compiled.resolver.resolve(name)
        for name, old in WRONG_BEFORE.items()
        if compiled.resolver.resolve(name) == old
    }
    assert wrong == {}


def test_every_entry_has_at_least_three_cards_shown_with_hidden_answers(compiled):
    import re

    few = {d.path: n for d in compiled.docs.values() if (n := sum(len(b.cards) for b in d.card_blocks)) < 3}
    assert few == {}
    for doc in compiled.docs.values():
        outside_code = re.sub(r"<(pre|code)\b.*?</\1>", "", doc.html, flags=re.S)
        assert "::" not in outside_code and "==" not in outside_code, doc.path
        assert outside_code.count('<details class="card"') >= 3, doc.path


def test_comparisons_set_look_alikes_side_by_side(compiled):
    comparisons = [d for d in compiled.docs.values() if "comparison" in d.tags]
    assert len(comparisons) >= 12
    for doc in comparisons:
        assert " vs " in doc.title and "<table" in doc.html, doc.path
        assert len({link.slug for link in doc.links} - {doc.slug, None}) >= 2, doc.path


def test_study_paths_resolve_and_dp100_follows_the_exam(compiled):
    paths = {p.slug: p for p in compiled.paths}
    assert {"ml-foundations", "deep-learning-pytorch", "statistics-for-ml", "dp-100"} <= set(paths)
    for path in paths.values():
        assert len(path.entries) >= 30 and len(set(path.entries)) == len(path.entries), path.slug
    dp100 = paths["dp-100"]
    assert [s.title for s in dp100.sections] == list(DP100_AREAS)
    tagged = {d.slug for d in compiled.docs.values() if any(t.startswith("dp-100-") for t in d.tags)}
    assert set(dp100.entries) == tagged  # every entry a candidate needs, each once
    for section in dp100.sections:
        assert all(any(t.startswith("dp-100-") for t in compiled.docs[s].tags) for s in section.entries)


def test_no_entry_shows_a_wikilink_as_raw_text(compiled):
    """Labelled links in table cells once split their cell and showed `[[…` as text."""
    raw = re.compile(r"\[\[")
    shown = {
        d.slug: d.html
        for d in compiled.docs.values()
        if raw.search(re.sub(r"<(pre|code)\b.*?</\1>", "", d.html, flags=re.S))
    }
    assert shown == {}
    cells = compiled.docs["mean-absolute-error"].html
    assert '<td><a class="wikilink" href="/entries/root-mean-squared-error">' in cells
