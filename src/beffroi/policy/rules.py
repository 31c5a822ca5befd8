"""A compiled rule: a CEL condition and the actions it leads to, as data."""

from __future__ import annotations

from dataclasses import dataclass

import cel

from beffroi.domain import Action


@dataclass(frozen=True)
class Rule:
    name: str
    when: str  # the CEL source, kept for display and audit
    program: cel.Program
    actions: tuple[Action, ...]
    shadow: bool = False
    description: str = ""

    @property
    def reason(self) -> str:
        return f"{self.name}: {self.description}" if self.description else self.name
