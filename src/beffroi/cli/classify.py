"""`beffroi classify`: the text model over JSON lines, for batch use and evaluation; no database needed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from beffroi.settings import Settings

CHUNK = 256  # lines scored together: the model batches by length within a chunk
REFUSED = object()  # stands for the id of a line that is not a {"id", "text"} object (an id may be null)


def register(commands: Any) -> None:
    classify = commands.add_parser(
        "classify",
        help="score texts with the text model: JSON lines in, JSON lines out",
        description=(
            'Reads JSON lines {"id": ..., "text": ...} and writes, for each, {"id": ..., "scores": {label: p}, '
            '"flagged": [labels over the default thresholds], "spans": [...]}. A line that is not such an object '
            "is reported on standard error with its line number and skipped; the exit status is then 1."
        ),
    )
    classify.add_argument("file", nargs="?", type=Path, help="a .jsonl file (default: standard input)")
    classify.add_argument("--output", "-o", type=Path, help="write here instead of standard output")
    classify.add_argument("--no-spans", action="store_true", help="scores only: faster, no evidence spans")
    classify.add_argument(
        "--cascade", action="store_true", help="let the n-gram first stage clear obviously benign texts"
    )
    classify.set_defaults(handler=run_classify)


def run_classify(args: argparse.Namespace) -> int:
    from beffroi.analyzers.text.classifier import TextClassifier  # loads onnxruntime: only this command needs it

    classifier = TextClassifier.load(threads=Settings.load().text_model_threads, cascade=args.cascade)
    source = args.file.open("rb") if args.file else sys.stdin.buffer
    sink = args.output.open("wb") if args.output else sys.stdout.buffer
    rejected = 0
    try:
        for chunk in _chunks(source):
            good = [(line_id, text) for _, line_id, text in chunk if line_id is not REFUSED]
            for number, line_id, problem in chunk:
                if line_id is REFUSED:
                    rejected += 1
                    print(f"line {number}: {problem}; skipped", file=sys.stderr)
            ids, texts = [line_id for line_id, _ in good], [text for _, text in good]
            for line_id, prediction in zip(ids, classifier.predict(texts, explain=not args.no_spans), strict=True):
                sink.write(orjson.dumps(_answer(line_id, prediction)) + b"\n")
            sink.flush()
    finally:
        if args.file:
            source.close()
        if args.output:
            sink.close()
    return 1 if rejected else 0


def _chunks(source: IO[bytes]) -> Iterator[list[tuple[int, Any, str]]]:
    """(line number, id or REFUSED, the text or what is wrong with the line) in chunks of CHUNK lines."""
    chunk: list[tuple[int, Any, str]] = []
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        chunk.append((number, *_parse(line)))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parse(line: bytes) -> tuple[Any, str]:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return REFUSED, f"not valid JSON ({exc})"
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        return REFUSED, 'expected an object with a string "text" (and an "id"), like {"id": 1, "text": "..."}'
    return record.get("id"), record["text"]


def _answer(line_id: Any, prediction: Any) -> dict[str, Any]:
    return {
        "id": line_id,
        "scores": {label: round(score, 6) for label, score in prediction.scores.items()},
        "flagged": list(prediction.flagged),
        "spans": [{"label": s.label, "start": s.start, "end": s.end, "text": s.text} for s in prediction.spans],
    }
