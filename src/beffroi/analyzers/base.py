"""The Analyzer base class: a name, a version, and a batched `analyze`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from beffroi.domain import Item, Signal, Span
from beffroi.settings import Settings


@dataclass(frozen=True)
class AnalyzerContext:
    """What an analyzer may use besides the items: settings, and the bytes of stored media."""

    settings: Settings
    read_media: Any = None  # Callable[[str], bytes] once media analyzers exist


class Analyzer(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    labels: ClassVar[tuple[str, ...]]  # the labels it may emit, documented in docs/analyzers/

    def __init__(self, context: AnalyzerContext):
        self.context = context

    @abstractmethod
    def analyze(self, items: Sequence[Item]) -> list[list[Signal]]:
        """One list of signals per item, in the order given. Raising fails the whole batch (it is retried)."""

    def signal(
        self,
        label: str,
        score: float,
        spans: Sequence[Span] = (),
        details: Mapping[str, Any] | None = None,
    ) -> Signal:
        return Signal(
            label=label,
            # Digits past 1e-6 are floating-point noise that varies with batching: drop them.
            score=round(min(1.0, max(0.0, float(score))), 6),
            analyzer=self.name,
            analyzer_version=self.version,
            spans=tuple(spans),
            details=dict(details or {}),
        )

    def prepare(self) -> None:  # noqa: B027 - an optional hook, not an abstract one
        """Load models before the first item, so the first caller waiting for a verdict does not pay for it."""

    def close(self) -> None:  # noqa: B027 - an optional hook, not an abstract one
        """Release what the analyzer holds (models, threads); called when the worker stops."""
