"""Longest-match replacement of word sequences: aliases, topic names and speaker names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.normalize import normalize, tokens

Phrase = tuple[str, ...]


def phrase(text: str) -> Phrase:
    """A name or alias as the words the index sees."""
    return tuple(tokens(normalize(text)))


class PhraseTable:
    """Replaces each listed phrase in a word sequence by its replacement, longest match first."""

    def __init__(self, phrases: Iterable[tuple[Phrase, Phrase]]) -> None:
        self._by_first: dict[str, list[tuple[Phrase, Phrase]]] = {}
        for words, replacement in phrases:
            if words:
                self._by_first.setdefault(words[0], []).append((words, replacement))
        for entries in self._by_first.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)

    def apply(self, words: Sequence[str]) -> tuple[list[str], list[Phrase]]:
        """The words with every phrase replaced, and the replacements made, in order."""
        by_first = self._by_first
        if by_first.keys().isdisjoint(words):  # the common case: nothing to replace
            return list(words), []
        out: list[str] = []
        found: list[Phrase] = []
        i, count = 0, len(words)
        while i < count:
            replaced = self._match_at(words, i)
            if replaced is None:
                out.append(words[i])
                i += 1
                continue
            length, replacement = replaced
            out.extend(replacement)
            found.append(replacement)
            i += length
        return out, found

    def _match_at(self, words: Sequence[str], i: int) -> tuple[int, Phrase] | None:
        for listed, replacement in self._by_first.get(words[i], ()):
            if tuple(words[i : i + len(listed)]) == listed:
                return len(listed), replacement
        return None
