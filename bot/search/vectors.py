"""Statement vectors for the optional semantic reranker, built once per knowledge base.

Each statement is embedded from its text and from each of its maintainer-written questions; a
question's similarity to a statement is the best of those. Candidates the words alone would
miss (a paraphrase that shares no word with the statement) are added from the nearest vectors.
Vectors are cached beside the index analysis, keyed by the knowledge base's content hash.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.knowledge.models import KnowledgeBase
from bot.search.semantic import Encoder

logger = logging.getLogger(__name__)

SEMANTIC_CANDIDATES = 10
Vectors = npt.NDArray[np.float32]


@cache
def shared_encoder() -> Encoder:
    """One encoder per process: reloads reuse the loaded model."""
    return Encoder()


class StatementVectors:
    def __init__(self, kb: KnowledgeBase, cache_dir: Path | None = None) -> None:
        self.encoder = shared_encoder()
        texts: list[str] = []
        owners: list[int] = []
        for index, statement in enumerate(kb.statements):
            for text in (statement.text, *statement.questions):
                texts.append(text)
                owners.append(index)
        self.owners = np.array(owners, dtype=np.int64)
        self.size = len(kb.statements)
        self.vectors = self._load_or_encode(texts, kb.content_hash, cache_dir)

    def _load_or_encode(self, texts: list[str], key: str, cache_dir: Path | None) -> Vectors:
        path = cache_dir / f"vectors-{key[:32]}.npy" if cache_dir is not None else None
        if path is not None:
            try:
                cached = np.load(path, allow_pickle=False)
                if cached.shape[0] == len(texts):
                    return np.asarray(cached, dtype=np.float32)
            except (OSError, ValueError):
                pass
        vectors = self.encoder.encode(texts) if texts else np.zeros((0, 384), np.float32)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, vectors, allow_pickle=False)
            except OSError as exc:
                logger.debug("Could not write the vector cache: %s", exc)
        return vectors

    def similarities(self, question: str) -> Vectors:
        """Each statement's best cosine similarity to the question (text or its questions)."""
        query = self.encoder.encode([question])[0]
        scores = self.vectors @ query
        best = np.full(self.size, -1.0, dtype=np.float32)
        np.maximum.at(best, self.owners, scores)
        return best

    def nearest(self, similarities: Vectors, mask: npt.NDArray[np.bool_] | None) -> list[int]:
        ranked = similarities if mask is None else np.where(mask, similarities, -1.0)
        count = min(SEMANTIC_CANDIDATES, self.size)
        if count == 0:
            return []
        top = np.argpartition(-ranked, count - 1)[:count]
        return [int(i) for i in top if ranked[i] > 0]
