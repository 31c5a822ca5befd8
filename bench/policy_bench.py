"""Cost of evaluating a 50-rule policy per item (one core): the default policy's rules, repeated with
varied thresholds up to 50, over items with random signal sets.

Run: python bench/policy_bench.py [--items N] [--rules R] [--seed S]
Target: under 1 ms per item. Facts are built once per item; each rule is a compiled CEL program.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime

from beffroi.domain import Author, Item, Signal, Source
from beffroi.policy.loader import load_policy

LABELS = ("threat", "insult", "hate", "sexual_harassment", "toxicity", "language.fr", "language.en", "language.und")
CONDITIONS = (
    "signals.threat >= {t}",
    "signals.hate >= {t} && context.audience_size >= 10000",
    'any_of(["insult", "sexual_harassment"]) >= {t}',
    'context.in_name_of_space && author.role != "admin" && signals.toxicity >= {t}',
    'signals["language.fr"] > 0.5 && signals.threat >= {t} && item.length > 20',
    "size(watchlist_hits) > 0 && signals.threat >= {t}",
    'score("toxicity") >= {t} || notices >= 3',
)
ACTIONS = ("[hold]", "[{open_case: {queue: threats, priority: 70}}]", "[{label: rough}]", "[hide, {notify: admins}]")


def policy_text(rules: int, rng: random.Random) -> str:
    lines = ["name: bench", "version: 1", "rules:"]
    for index in range(rules):
        condition = CONDITIONS[index % len(CONDITIONS)].format(t=round(rng.uniform(0.3, 0.95), 2))
        lines += [f"  - name: rule-{index}", f"    when: '{condition}'", f"    then: {ACTIONS[index % len(ACTIONS)]}"]
        if index % 10 == 9:
            lines.append("    shadow: true")
    return "\n".join(lines) + "\n"


def corpus(count: int, rng: random.Random) -> list[tuple[Item, list[Signal]]]:
    received = datetime(2026, 1, 1, tzinfo=UTC)
    found = []
    for index in range(count):
        context = {"audience_size": rng.choice([0, 300, 20_000]), "in_name_of_space": rng.random() < 0.1}
        item = Item(
            str(index), "bench", Author(str(index)), Source("api", str(index)), "x" * 60, None, received, context
        )
        labels = rng.sample(LABELS, rng.randint(0, 4))
        found.append((item, [Signal(label, rng.random(), "keywords", "1") for label in labels]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    policy = load_policy(policy_text(args.rules, rng), "bench.yaml", LABELS)
    loaded = time.perf_counter() - started
    items = corpus(args.items, rng)
    started = time.perf_counter()
    verdicts = [policy.evaluate(item, signals) for item, signals in items]
    elapsed = time.perf_counter() - started
    held = sum(verdict.actions[0].kind.value != "allow" for verdict in verdicts)
    print(f"loaded {len(policy.rules)} rules in {loaded * 1000:.0f} ms")
    print(f"{args.items} items, {held} not allowed: {elapsed / args.items * 1e6:.0f} µs per item ({args.rules} rules)")


if __name__ == "__main__":
    main()
