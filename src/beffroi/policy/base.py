"""The Policy interface: a pure function from an item and its signals to a verdict."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from beffroi.domain import Item, Signal, Verdict


class Policy(ABC):
    name: str

    @abstractmethod
    def evaluate(self, item: Item, signals: Sequence[Signal], notices: int = 0) -> Verdict:
        """No side effects: the same input always gives the same verdict, so it can be replayed.

        `notices` is how many notices (user reports) the item has: conditions read it as `notices`.
        """
