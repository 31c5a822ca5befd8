"""Throughput of Lexicon.match on ~10k generated tweet-length texts (one core).

Run: python bench/lexicon_bench.py [--texts N] [--seed S]
The texts mix harmless French and English chatter, political criticism, obfuscated
threats, insults and emoji, so both the fast path (no match) and matches are timed.
"""

from __future__ import annotations

import argparse
import random
import time

from beffroi.analyzers.text.lexicon import Lexicon

HARMLESS = [
    "Le conseil municipal se réunit jeudi à 18h à la mairie, venez nombreux",
    "Ce maire détruit la ville, votez contre lui aux prochaines élections !",
    "Incompetent mayor, the potholes on Main Street are still not fixed",
    "Démission ! Les habitants méritent mieux que cette gestion",
    "On a tué le temps au café en attendant le bus, mort de rire",
    "Great game last night, we were killing it in the second half",
    "Qui vient au marché de Noël samedi ? Il y aura des crêpes et du vin chaud",
    "The library opens at 9 tomorrow, bring your kids for story time",
    "Je vais te battre aux échecs ce soir, prépare-toi 😄",
    "I'll shoot you an email with the agenda for the council meeting",
    "Merci pour la réunion publique, très instructive sur le budget",
    "Traffic is dead slow on the ring road again, avoid it if you can",
]
TOXIC = [
    "on va lui couper la tête à ce maire",
    "jvais te buter sale bâtard",
    "I'm going to k i l l you, I know where you live",
    "t'es qu'un c0nnard, ferme ta gueule",
    "le maire 🔪🔪🔪",
    "he deserves to die, f*ck him",
    "envoie tes nudes salope",
    "these migrants are nothing but rats",
    "J3 V41S T3 TUUUER",
    "putain de merde, quel bordel",
]
FILLER = ["vraiment", "aujourd'hui", "honestly", "lol", "#mairie", "@voisin", "🙂", "!!", "2026"]


def make_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        base = rng.choice(TOXIC) if rng.random() < 0.2 else rng.choice(HARMLESS)
        extra = " ".join(rng.choice(FILLER) for _ in range(rng.randint(0, 6)))
        texts.append(f"{base} {extra}".strip())
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    lexicon = Lexicon.load()
    loaded = time.perf_counter() - started
    texts = make_texts(args.texts, args.seed)
    average = sum(map(len, texts)) / len(texts)
    print(f"load+compile: {loaded:.2f}s")
    # Best of a few rounds, in CPU time: a shared machine's other load skews wall time.
    for _ in range(args.rounds):
        wall, cpu, matches = run(lexicon, texts)
        print(
            f"{len(texts)} texts (avg {average:.0f} chars), {matches} matches: "
            f"{len(texts) / cpu:,.0f} texts/s, {matches / cpu:,.0f} matches/s (CPU time); "
            f"{len(texts) / wall:,.0f} texts/s (wall)"
        )


def run(lexicon: Lexicon, texts: list[str]) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    matches = sum(len(lexicon.match(text)) for text in texts)
    return time.perf_counter() - wall, time.process_time() - cpu, matches


if __name__ == "__main__":
    main()
