"""The contract every registered analyzer passes, built-in or third-party (cf. SignalTypeAutoTest)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from beffroi.analyzers.base import Analyzer, AnalyzerContext
from beffroi.analyzers.registry import AnalyzerRegistry
from beffroi.domain import Author, Item, Source
from beffroi.settings import Settings

REGISTRY = AnalyzerRegistry.discover()
TEXTS = [
    "",
    "Bonjour, la réunion du conseil municipal est reportée à jeudi.",
    "On va lui couper la tête à ce maire 🔪",
    "I know where you live and I will find you",
    "😀😀😀 ✨",
    "x" * 5000,
    "Ça suffit !!! \u200b\u0000 test",
]


def _items() -> list[Item]:
    now = datetime.now(UTC)
    return [
        Item(f"itm_{i}", "default", Author("a"), Source("test", str(i)), text, None, now)
        for i, text in enumerate(TEXTS)
    ]


@pytest.fixture(scope="module", params=REGISTRY.names())
def analyzer(request: pytest.FixtureRequest) -> Analyzer:
    return REGISTRY.get(request.param)(AnalyzerContext(Settings()))


def test_it_is_named_and_versioned(analyzer: Analyzer) -> None:
    assert analyzer.name and analyzer.version and analyzer.labels


def test_one_result_per_item_in_order_with_valid_signals(analyzer: Analyzer) -> None:
    batch = _items()
    results = analyzer.analyze(batch)
    assert len(results) == len(batch)
    for it, signals in zip(batch, results, strict=True):
        for signal in signals:
            assert 0.0 <= signal.score <= 1.0
            assert signal.analyzer == analyzer.name and signal.analyzer_version == analyzer.version
            assert signal.label in analyzer.labels
            for span in signal.spans:
                assert 0 <= span.start < span.end <= len(it.text)


def test_batching_does_not_change_results(analyzer: Analyzer) -> None:
    batch = _items()
    together = analyzer.analyze(batch)
    alone = [analyzer.analyze([it])[0] for it in batch]
    assert together == alone


def test_an_empty_batch_is_fine(analyzer: Analyzer) -> None:
    assert analyzer.analyze([]) == []
