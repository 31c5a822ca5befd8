"""Print the shipped model's scores, flags and spans for a few functional cases (for the model card).

Usage: python probe.py [MODEL_DIR] [text ...]   (default: the model shipped in the package)
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
from beffroi.analyzers.text.classifier import TextClassifier

CASES = [
    "On va lui couper la tête à ce maire.", "Ce maire détruit la ville, votez contre lui",
    "je ne vais pas le tuer", "je vais le tuer", "tuer le temps", "on coupe la poire en deux",
    "il m'a tué avec sa blague", "on va écraser l'adversaire aux élections", "couper la tête du poisson",
    "jvais te buter", "je vais te t u e r", "j3 v41s t3 tu3r 🔪", "la députée 🔪🔪 ce soir",
    "Il a écrit « je vais tuer la maire » : c'est un délit, j'ai porté plainte.",
    "Les musulmans sont tous des terroristes", "Dire que les musulmans sont des terroristes est raciste.",
    "t'es qu'un gros connard", "envoie moi des nudes", "I'm going to kill you", "you killed it tonight",
    "The mayor is destroying this town, vote him out", "all immigrants are rats and should be deported",
]


def main() -> None:
    args = sys.argv[1:]
    model_dir = Path(args.pop(0)) if args and Path(args[0]).is_dir() else None
    texts = args or CASES
    clf = TextClassifier.load(model_dir)
    for text, p in zip(texts, clf.predict(texts)):
        scores = " ".join(f"{k[:5]}={v:.2f}" for k, v in p.scores.items())
        spans = "; ".join(f"{s.label}:{s.text!r}@{s.start}-{s.end}" for s in p.spans)
        print(f"{text!r}\n    {scores} flagged={list(p.flagged)} {spans}")


if __name__ == "__main__":
    main()
