"""Policy errors that read like a compiler's: FILE:LINE:COL: what is wrong, the line, a caret, a hint."""

from __future__ import annotations

from dataclasses import dataclass

from beffroi.errors import InvalidRequest


@dataclass(frozen=True)
class Position:
    """Where something is in a policy file; line and column count from 1, as editors do."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    source: str
    position: Position
    message: str
    hint: str | None = None

    def render(self, text: str | None = None) -> str:
        where = f"{self.source}:{self.position.line}:{self.position.column}"
        lines = [f"{where}: {self.message}"]
        if text is not None:
            lines.extend(_excerpt(text, self.position))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class PolicyError(InvalidRequest):
    """An invalid policy never loads: this carries every problem found, not only the first."""

    code = "invalid_policy"

    def __init__(self, problems: list[Problem], text: str | None = None):
        first = problems[0]
        count = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"{first.source}:{first.position.line}:{first.position.column}: {first.message}{count}",
            hint=first.hint,
            details=[_detail(p) for p in problems],
        )
        self.problems = problems
        self.text = text

    def render(self) -> str:
        return "\n".join(p.render(self.text) for p in self.problems)


def _excerpt(text: str, position: Position) -> list[str]:
    lines = text.splitlines()
    if not 1 <= position.line <= len(lines):
        return []
    return [f"  {lines[position.line - 1]}", "  " + " " * (position.column - 1) + "^"]


def _detail(problem: Problem) -> dict[str, object]:
    detail: dict[str, object] = {
        "source": problem.source,
        "line": problem.position.line,
        "column": problem.position.column,
        "message": problem.message,
    }
    if problem.hint:
        detail["hint"] = problem.hint
    return detail
