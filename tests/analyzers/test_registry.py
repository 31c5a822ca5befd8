"""The registry: built-ins come from entry points; a clash of names stops start-up with a clear message."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from beffroi.analyzers.keywords import KeywordAnalyzer
from beffroi.analyzers.language import LanguageAnalyzer
from beffroi.analyzers.registry import AnalyzerRegistry
from beffroi.errors import ConfigError


def test_built_ins_register_through_entry_points() -> None:
    assert {"language", "keywords"} <= set(AnalyzerRegistry.discover().names())


def test_two_analyzers_with_one_name_fail_at_start_up() -> None:
    points = [
        EntryPoint("language", "beffroi.analyzers.language:LanguageAnalyzer", "beffroi"),
        EntryPoint("other", "beffroi.analyzers.keywords:KeywordAnalyzer", "beffroi"),
    ]

    class Impostor(KeywordAnalyzer):
        name = "language"

    registry = AnalyzerRegistry.discover(points)
    with pytest.raises(ConfigError) as error:
        registry.register(Impostor)
    assert "two analyzers are named 'language'" in error.value.message
    assert "LanguageAnalyzer" in error.value.message and "Impostor" in error.value.message


def test_an_unknown_name_lists_what_exists() -> None:
    registry = AnalyzerRegistry()
    registry.register(LanguageAnalyzer)
    with pytest.raises(ConfigError) as error:
        registry.get("toxicity")
    assert error.value.hint == "registered analyzers: language"
