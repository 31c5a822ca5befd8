"""Evidence spans by occlusion: drop one word at a time and see how much a flagged label's logit falls.

Run only on flagged texts, so the cost is paid where a moderator will read the explanation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from .normalize import Normalized

WORD = re.compile(r"\S+")
SENTENCE_END = re.compile(r"[.!?…]$")
MAX_WORDS = 48
MIN_DROP = 0.5  # logit units; below this no single word explains the score

Scorer = Callable[[Sequence[str]], npt.NDArray[np.float32]]


def words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in WORD.finditer(text)][:MAX_WORDS]


def occlusions(text: str, bounds: list[tuple[int, int]]) -> list[str]:
    """The text with each word removed in turn."""
    return [(text[:s] + text[e:]).strip() for s, e in bounds]


def pick(drops: npt.NDArray[np.float32]) -> list[int]:
    """Words whose removal lowers the logit by at least half the largest drop."""
    top = float(drops.max()) if drops.size else 0.0
    if top < MIN_DROP:
        return []
    return [i for i, d in enumerate(drops) if d >= max(MIN_DROP, 0.5 * top)]


def merge(chosen: list[int], bounds: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Adjacent chosen words become one span (normalised offsets), but never across the end of a sentence: a
    greeting before a threat ("Bonjour. Je vais ...") is another piece of evidence, not part of the threat's."""
    spans: list[tuple[int, int]] = []
    prev = -2
    for i in chosen:
        if i == prev + 1 and spans and not SENTENCE_END.search(text[bounds[prev][0] : bounds[prev][1]]):
            spans[-1] = (spans[-1][0], bounds[i][1])
        else:
            spans.append(bounds[i])
        prev = i
    return spans


def label_spans(
    norm: Normalized, bounds: list[tuple[int, int]], base: float, occluded: npt.NDArray[np.float32]
) -> list[tuple[int, int]]:
    """Original-text offsets for one label, given its logit on the text and on each occlusion."""
    chosen = pick(base - occluded)
    if not chosen:  # no single word carries it: the whole text is the evidence
        return [norm.span(0, len(norm.text))] if norm.text else []
    return [norm.span(s, e) for s, e in merge(chosen, bounds, norm.text)]
