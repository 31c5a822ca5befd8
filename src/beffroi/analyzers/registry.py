"""The analyzer registry: every analyzer, built-in or third-party, comes from the `beffroi` entry-point group."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points

from beffroi.analyzers.base import Analyzer, AnalyzerContext
from beffroi.analyzers.watchlist import PROTECTED_LABEL
from beffroi.errors import ConfigError

ENTRY_POINT_GROUP = "beffroi"


class AnalyzerRegistry:
    def __init__(self) -> None:
        self._classes: dict[str, type[Analyzer]] = {}
        self._origins: dict[str, str] = {}

    @classmethod
    def discover(cls, points: Iterable[EntryPoint] | None = None) -> AnalyzerRegistry:
        registry = cls()
        for point in entry_points(group=ENTRY_POINT_GROUP) if points is None else points:
            loaded = point.load()
            if isinstance(loaded, type) and issubclass(loaded, Analyzer):
                registry.register(loaded, origin=f"{point.value} (entry point {point.name!r})")
        return registry

    def register(self, analyzer: type[Analyzer], origin: str | None = None) -> None:
        origin = origin or f"{analyzer.__module__}.{analyzer.__qualname__}"
        name = getattr(analyzer, "name", None)
        if not name or not getattr(analyzer, "version", None):
            raise ConfigError(f"analyzer {origin} must set class attributes `name` and `version`")
        if name in self._classes:
            raise ConfigError(
                f"two analyzers are named {name!r}: {self._origins[name]} and {origin}",
                hint="rename one of them, or uninstall the package that brings the other",
            )
        self._classes[name] = analyzer
        self._origins[name] = origin

    def names(self) -> list[str]:
        return sorted(self._classes)

    def labels(self) -> set[str]:
        """Every label a registered analyzer declares, and the worker's own `threat.protected_person` (from the
        space's watchlist): the only labels a policy's conditions may read."""
        return {PROTECTED_LABEL, *(label for analyzer in self._classes.values() for label in analyzer.labels)}

    def get(self, name: str) -> type[Analyzer]:
        try:
            return self._classes[name]
        except KeyError:
            raise ConfigError(
                f"no analyzer is named {name!r}", hint=f"registered analyzers: {', '.join(self.names())}"
            ) from None

    def create(self, context: AnalyzerContext, names: Sequence[str] = ()) -> list[Analyzer]:
        """Instances of the named analyzers, or of all of them when no name is given."""
        return [self.get(name)(context) for name in (names or self.names())]
