"""The optional semantic extra (app/search/semantic.py): off the default path entirely, a
clear refusal when required but missing, and, when installed, entry vectors kept in step
with the index and questions re-ranked by meaning while names keep the lexical ranking."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.search import SearchIndex, semantic
from tests.search.test_questions import entry, fillers

ROOT = Path(__file__).resolve().parents[2]
MISSING = semantic.missing()
needs_extra = pytest.mark.skipif(
    bool(MISSING),
    reason=f"the semantic extra is not installed (missing {', '.join(MISSING)}): {semantic.INSTALL}",
)

# What a search did to the process's modules, run apart so that no other test's imports count.
PROBE = """
import json, sys
from pathlib import Path
from app.config import Settings
from app.site import open_site
root = Path(sys.argv[1])
content = root / "content"
content.mkdir()
(content / "dropout.md").write_text("---\\ntitle: Dropout\\n---\\nRandomly switches off units while training.\\n")
site = open_site(Settings(content_dir=content, data_dir=root / "data", state_dir=root / "state",
                          semantic=sys.argv[2]), serve=False)
site.update()
hits = [h.slug for h in site.index.search("how do I randomly switch off units while training").hits]
site.close()
heavy = ("torch", "sentence_transformers", "tokenizers", "safetensors", "app.search.encoder")
print(json.dumps({"hits": hits, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def probe(tmp_path: Path, mode: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path), mode], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_off_never_loads_the_extra(tmp_path):
    found = probe(tmp_path, "off")
    assert found == {"hits": ["dropout"], "loaded": []}


@pytest.mark.skipif(not MISSING, reason="the semantic extra is installed: auto uses it")
def test_auto_without_the_extra_searches_and_loads_nothing(tmp_path):
    found = probe(tmp_path, "auto")
    assert found == {"hits": ["dropout"], "loaded": []}
    assert not (tmp_path / "data" / semantic.FILE).exists()


def test_on_without_the_extra_fails_at_start_and_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(semantic, "NEEDED", (*semantic.NEEDED, "glossa_no_such_module"))
    with pytest.raises(semantic.SemanticUnavailable) as refused:
        SearchIndex(tmp_path / "index", "on")
    message = str(refused.value)
    assert "glossa_no_such_module" in message and semantic.INSTALL in message and "GLOSSA_SEMANTIC" in message
    assert SearchIndex(tmp_path / "other", "auto").semantic is None  # auto just does without


def test_the_command_line_says_so_without_a_trace(tmp_path, monkeypatch, capsys):
    from app.cli import main

    monkeypatch.setattr(semantic, "NEEDED", (*semantic.NEEDED, "glossa_no_such_module"))
    monkeypatch.setenv("GLOSSA_SEMANTIC", "on")
    (tmp_path / "content").mkdir()
    code = main(["build", "--content", str(tmp_path / "content"), "--data", str(tmp_path / "data")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("glossa: GLOSSA_SEMANTIC=on") and semantic.INSTALL in err and "Traceback" not in err


def first(index: SearchIndex, text: str) -> str | None:
    hits = index.search(text).hits
    return hits[0].slug if hits else None


# -- with the extra -----------------------------------------------------------------


@pytest.fixture(scope="module")
def encoder():
    from app.search.encoder import Encoder

    return Encoder()


@needs_extra
def test_the_encoder_gives_unit_vectors_near_for_like_meanings(encoder):
    v = encoder.encode(
        [
            "randomly switch off neurons during training",
            "Dropout. A regularisation technique that zeroes random units of a layer while a network trains.",
            "Azure Blob Storage. Object storage for unstructured files in the cloud.",
        ]
    )
    assert v.shape == (3, 384)
    assert abs(float((v * v).sum(1).min()) - 1.0) < 1e-4
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.2


@needs_extra
def test_the_encoder_gives_the_vectors_sentence_transformers_gives(encoder):
    """Our numpy forward pass is the model's own: checked against the reference library
    where it is installed (it brings PyTorch, so only by hand: see the README)."""
    reference = pytest.importorskip("sentence_transformers", reason="sentence-transformers (and PyTorch) not installed")
    from app.search.encoder import model_dir

    texts = [
        "why does my validation loss go up while training loss keeps going down",
        "Precision: the share of predicted positives that really are positive. " * 30,  # past the token limit
        "x",
    ]
    ours = encoder.encode(texts)
    theirs = reference.SentenceTransformer(str(model_dir()), device="cpu").encode(texts, normalize_embeddings=True)
    assert float(abs(ours - theirs).max()) < 1e-5


def _glossary() -> list:
    return [
        *fillers(8),
        entry(
            "dropout",
            "Dropout",
            "During training, units of a layer are randomly set to zero at each step, so that none can "
            "rely on another.",
            summary="A regularisation technique that zeroes random units of a layer while a network trains.",
        ),
        entry(
            "artificial-neuron",
            "Artificial neuron",
            "A neuron sums its weighted inputs and applies an activation; neurons are stacked in layers "
            "and switch on when their input is large enough during training.",
            summary="A unit that computes a weighted sum of its inputs and applies an activation.",
            aliases=["neuron"],
        ),
    ]


@needs_extra
def test_vectors_follow_the_index_and_only_new_passages_are_encoded(tmp_path, monkeypatch):
    idx = SearchIndex(tmp_path / "index", "on")
    assert idx.semantic is not None
    encoded: list[str] = []
    real = idx.semantic.encoder.encode
    monkeypatch.setattr(idx.semantic.encoder, "encode", lambda texts: encoded.extend(texts) or real(texts))
    docs = _glossary()
    idx.update(docs, fresh=True)
    assert len(encoded) == len(docs)
    stored = tmp_path / semantic.FILE
    assert stored.exists()

    encoded.clear()
    idx.update(docs, fresh=True)  # a full rebuild of unchanged entries encodes nothing
    assert encoded == []

    dropout = docs[-2]
    dropout.summary = "Switching off random units while training, so no unit can rely on another."
    idx.update([dropout], deleted=["filler-0"])
    assert encoded == [semantic.passage(dropout.title, dropout.summary)]

    encoded.clear()  # a question reads the vectors written: it encodes only itself
    assert first(idx, "randomly switch off neurons during training") is not None
    assert encoded == ["randomly switch off neurons during training"]

    other = semantic.Semantic(tmp_path)  # another process reads what this one wrote
    other._read()
    assert sorted(other._slugs) == sorted(d.slug for d in docs if d.slug != "filler-0")
    assert other._slugs["dropout"] == semantic.key(semantic.passage(dropout.title, dropout.summary))


@needs_extra
def test_a_question_is_reranked_by_meaning_and_a_name_is_not(tmp_path, monkeypatch):
    # Meaning alone decides here: the blend's weight is measured on the shipped glossary
    # (tests/relevance), not on ten entries.
    monkeypatch.setattr(semantic, "MEANING", 1.0)
    idx = SearchIndex(tmp_path / "index", "on")
    idx.update(_glossary(), fresh=True)
    question = "randomly switch off neurons during training"
    lexical = SearchIndex(tmp_path / "index", "off")
    assert first(lexical, question) == "artificial-neuron"
    assert first(idx, question) == "dropout"

    asked: list[str] = []
    monkeypatch.setattr(idx.semantic, "query_vector", lambda text: asked.append(text))
    assert first(idx, "neuron") == "artificial-neuron"
    assert first(idx, "dropout") == "dropout"
    assert asked == []  # names never pay for an encoding
    lexical.close()
    idx.close()


@needs_extra
def test_filters_and_exclusions_hold_for_entries_found_by_meaning(tmp_path):
    idx = SearchIndex(tmp_path / "index", "on")
    idx.update(_glossary(), fresh=True)
    hits = [h.slug for h in idx.search("randomly switch off neurons during training -dropout").hits]
    assert "dropout" not in hits
    hits = [h.slug for h in idx.search("randomly switch off neurons during training", categories=["b"]).hits]
    assert hits == []
    idx.close()


@needs_extra
def test_an_index_written_without_the_extra_gets_its_vectors_when_warmed(tmp_path, monkeypatch):
    monkeypatch.setattr(semantic, "MEANING", 1.0)
    plain = SearchIndex(tmp_path / "index", "off")
    plain.update(_glossary(), fresh=True)
    plain.close()
    assert not (tmp_path / semantic.FILE).exists()
    idx = SearchIndex(tmp_path / "index", "on")
    # A question before any vector exists still works: its candidates are encoded as needed.
    assert first(idx, "randomly switch off neurons during training") == "dropout"
    idx.warm()
    assert (tmp_path / semantic.FILE).exists()
    assert len(semantic.Semantic(tmp_path).nearest("randomly switch off neurons", 3)) == 3
    idx.close()


@needs_extra
def test_an_edit_writes_only_what_changed_and_the_changes_fold_in_later(tmp_path, monkeypatch):
    idx = SearchIndex(tmp_path / "index", "on")
    docs = _glossary()
    idx.update(docs, fresh=True)
    full, changes = tmp_path / semantic.FILE, tmp_path / semantic.CHANGES
    written = (full.stat().st_ino, full.stat().st_mtime_ns)

    dropout = docs[-2]
    dropout.summary = "Switching off random units while training, so no unit can rely on another."
    idx.update([dropout])
    assert (full.stat().st_ino, full.stat().st_mtime_ns) == written  # the full file is not rewritten
    with np.load(changes) as saved:
        assert list(saved["slugs"]) == ["dropout"] and len(saved["vectors"]) == 1
    other = semantic.Semantic(tmp_path)  # another process reads the full file and the changes
    other._read()
    assert other._slugs["dropout"] == semantic.key(semantic.passage(dropout.title, dropout.summary))
    assert len(other._slugs) == len(docs)

    monkeypatch.setattr(semantic, "FOLD_AT", 0)  # past a tenth of the glossary: folded in
    neuron = docs[-1]
    neuron.summary = "A unit that adds up its weighted inputs and passes the sum through an activation."
    idx.update([neuron], deleted=["filler-0"])
    assert not changes.exists() and (full.stat().st_ino, full.stat().st_mtime_ns) != written
    other._read()
    assert "filler-0" not in other._slugs and len(other._slugs) == len(docs) - 1
    assert other._slugs["dropout"] == semantic.key(semantic.passage(dropout.title, dropout.summary))
    assert other._slugs[neuron.slug] == semantic.key(semantic.passage(neuron.title, neuron.summary))
    idx.close()
