"""A cache of the expensive half of indexing, so a warm start skips re-analysing every string.

Keyed by the knowledge base's content hash *and* a hash of the code that does the analysis, so
neither an edited file nor a changed analyser can ever serve a stale index. Stored as numpy
arrays (loaded with ``allow_pickle=False``) and JSON — data only, nothing a cache file could
run. Any problem reading it just means analysing again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

FORMAT = 1
_CODE_SUFFIXES = (".py", ".txt")


@dataclass
class Analysis:
    """What analysing every statement produces; everything else in an index is cheap."""

    postings: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]]
    vocabulary: Counter[str]
    text_terms: list[tuple[str, ...]]
    question_terms: list[list[tuple[str, ...]]]
    mentions: dict[str, list[int]]


def _code_hash() -> str:
    digest = hashlib.sha256(str(FORMAT).encode())
    package = Path(__file__).resolve().parent  # every module and data file of bot/search
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in _CODE_SUFFIXES:
            digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


_SALT = _code_hash()


def _paths(directory: Path, content_hash: str) -> tuple[Path, Path]:
    stem = f"index-{content_hash[:32]}-{_SALT}"
    return directory / f"{stem}.npz", directory / f"{stem}.json"


def save_analysis(directory: Path, content_hash: str, analysis: Analysis) -> None:
    arrays_path, meta_path = _paths(directory, content_hash)
    terms = sorted(
        set(analysis.postings)
        | {t for terms in analysis.text_terms for t in terms}
        | {t for questions in analysis.question_terms for terms in questions for t in terms}
    )
    number = {term: n for n, term in enumerate(terms)}
    posting_terms = list(analysis.postings)
    ids = [analysis.postings[t][0] for t in posting_terms]
    weights = [analysis.postings[t][1] for t in posting_terms]
    question_counts = [len(q) for q in analysis.question_terms]
    questions = [terms for qs in analysis.question_terms for terms in qs]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tmp_arrays = directory / f".{arrays_path.stem}.{os.getpid()}.npz"
        np.savez(
            tmp_arrays,
            posting_terms=np.array([number[t] for t in posting_terms], dtype=np.int32),
            posting_lengths=np.array([len(a) for a in ids], dtype=np.int64),
            posting_ids=np.concatenate(ids) if ids else np.zeros(0, np.int32),
            posting_weights=np.concatenate(weights) if weights else np.zeros(0, np.float32),
            text_lengths=np.array([len(t) for t in analysis.text_terms], dtype=np.int64),
            text_terms=_numbers(analysis.text_terms, number),
            question_counts=np.array(question_counts, dtype=np.int64),
            question_lengths=np.array([len(q) for q in questions], dtype=np.int64),
            question_terms=_numbers(questions, number),
        )
        meta = {
            "terms": terms,
            "vocabulary": list(analysis.vocabulary.items()),
            "mentions": analysis.mentions,
        }
        tmp_meta = directory / f".{meta_path.stem}.{os.getpid()}.json"
        tmp_meta.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        tmp_arrays.replace(arrays_path)
        tmp_meta.replace(meta_path)
        for old in directory.glob("index-*"):  # one knowledge base per directory: keep the latest
            if old not in (arrays_path, meta_path):
                old.unlink(missing_ok=True)
    except OSError as exc:
        logger.debug("Could not write the index cache: %s", exc)


def _numbers(groups: list[tuple[str, ...]], number: dict[str, int]) -> npt.NDArray[np.int32]:
    return np.fromiter((number[t] for group in groups for t in group), dtype=np.int32)


def load_analysis(directory: Path, content_hash: str) -> Analysis | None:
    arrays_path, meta_path = _paths(directory, content_hash)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        with np.load(arrays_path, allow_pickle=False) as arrays:
            data = {key: arrays[key] for key in arrays.files}
    except (OSError, ValueError, KeyError) as exc:
        if not isinstance(exc, FileNotFoundError):
            logger.debug("Ignoring an unreadable index cache: %s", exc)
        return None
    try:
        terms: list[str] = meta["terms"]
        postings: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]] = {}
        ends = np.cumsum(data["posting_lengths"])
        start = 0
        for term_number, end in zip(data["posting_terms"].tolist(), ends.tolist(), strict=True):
            postings[terms[term_number]] = (
                data["posting_ids"][start:end],
                data["posting_weights"][start:end],
            )
            start = end
        text_terms = _groups(data["text_terms"], data["text_lengths"], terms)
        flat_questions = _groups(data["question_terms"], data["question_lengths"], terms)
        question_terms: list[list[tuple[str, ...]]] = []
        position = 0
        for count in data["question_counts"].tolist():
            question_terms.append(flat_questions[position : position + count])
            position += count
        return Analysis(
            postings=postings,
            vocabulary=Counter(dict(meta["vocabulary"])),
            text_terms=text_terms,
            question_terms=question_terms,
            mentions={k: list(v) for k, v in meta["mentions"].items()},
        )
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        logger.debug("Ignoring an inconsistent index cache: %s", exc)
        return None


def _groups(
    numbers: npt.NDArray[np.int32], lengths: npt.NDArray[np.int64], terms: list[str]
) -> list[tuple[str, ...]]:
    words = [terms[n] for n in numbers.tolist()]
    out: list[tuple[str, ...]] = []
    start = 0
    for length in lengths.tolist():
        out.append(tuple(words[start : start + length]))
        start += length
    return out
