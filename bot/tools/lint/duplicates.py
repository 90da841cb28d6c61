"""Near-duplicate statements, found without scoring every pair."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.normalize import normalize, tokens


def words(text: str) -> list[str]:
    return tokens(normalize(text))


def near_duplicates(texts: Sequence[str], threshold: int) -> list[tuple[int, int, float]]:
    """``(later, earlier, score)`` for each text that has an earlier near-duplicate (the
    closest one), scores 0-100.

    The score is ``fuzz.ratio`` over each text's *sorted* list of normalised words: for sorted
    sequences the longest common subsequence is the shared multiset of words, so the score is
    the Dice share of words in common, indifferent to word order and punctuation. That
    exactness is what lets prefix filtering skip almost every pair without missing any: 10,000
    statements take about a second, where scoring all 50 million pairs with ``cdist`` takes
    minutes on a small machine.
    """
    bags = [sorted(words(text)) for text in texts]
    best: dict[int, tuple[float, int]] = {}
    for i, j in _candidate_pairs(bags, threshold / 100.0):
        score = fuzz.ratio(bags[i], bags[j], processor=None, score_cutoff=threshold)
        if not score:
            continue
        later, earlier = max(i, j), min(i, j)
        current = best.get(later)
        if current is None or (score, -earlier) > (current[0], -current[1]):
            best[later] = (score, earlier)
    return sorted((later, earlier, score) for later, (score, earlier) in best.items())


def _candidate_pairs(bags: list[list[str]], threshold: float) -> set[tuple[int, int]]:
    """Pairs that can reach ``threshold`` (prefix filtering, as in the AllPairs algorithm).

    Two word multisets with Dice share ``t`` must have ``o >= t / (2 - t) * len`` words in
    common for each of them; so once each bag's words are ordered rarest first, any such pair
    shares at least one word among the first ``len - o + 1`` of either bag. Only those rare
    "prefix" words are indexed, and the length filter drops pairs too different in size.
    """
    if threshold <= 0:
        return {(i, j) for i in range(len(bags)) for j in range(i)}
    items = [
        [(word, n) for word, count in Counter(bag).items() for n in range(count)] for bag in bags
    ]
    frequency = Counter(item for bag in items for item in bag)
    ratio = threshold / (2.0 - threshold)
    index: dict[tuple[str, int], list[int]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    by_length = sorted(range(len(items)), key=lambda i: len(items[i]))
    for i in by_length:
        bag = sorted(items[i], key=lambda item: (frequency[item], item))
        size = len(bag)
        if not size:
            continue
        needed = max(1, math.ceil(ratio * size - 1e-9))  # forgive float noise in t/(2-t)*n
        prefix = bag[: size - needed + 1]
        shortest = ratio * size
        for item in prefix:
            for j in index[item]:
                if len(items[j]) >= shortest - 1e-9:
                    pairs.add((i, j) if i > j else (j, i))
            index[item].append(i)
    return pairs
