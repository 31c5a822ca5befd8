"""One registry of settings: each is a field with a default and a help text.

Read once at start-up (never at import) from `BEFFROI_<NAME>` environment variables, then a TOML config file
named by BEFFROI_CONFIG; the environment wins. docs/settings.md documents every field (a test checks it).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from beffroi.errors import ConfigError

ENV_PREFIX = "BEFFROI_"


def _setting(default: Any, help: str, secret: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret})


@dataclass(frozen=True)
class Settings:
    host: str = _setting("127.0.0.1", "Address the HTTP service listens on.")
    port: int = _setting(8000, "Port the HTTP service listens on.")
    data_dir: str = _setting("data", "Directory for the embedded database and the blob store.")
    database_url: str = _setting(
        "",
        "SQLAlchemy URL of the database. Empty means SQLite at DATA_DIR/beffroi.db. "
        "PostgreSQL: postgresql+psycopg://user:password@host/dbname (needs pip install 'beffroi[postgres]').",
        secret=True,
    )
    sqlite_synchronous: str = _setting(
        "FULL",
        "SQLite synchronous pragma. FULL survives power loss for every acknowledged item; NORMAL survives "
        "a process crash only, and is faster.",
    )
    workers: int = _setting(
        1, "Analysis workers that `beffroi serve` starts. 0 leaves analysis to `beffroi worker` processes."
    )
    worker_mode: str = _setting(
        "process",
        "How `beffroi serve` runs its workers: `process` (beside the API, the default) or `thread` (in the API's "
        "process: one process only, but analysis then competes with the API for Python's interpreter lock).",
    )
    worker_nice: int = _setting(
        5,
        "How much lower the CPU priority of the analysis worker processes that `beffroi serve` starts is than the "
        "API's (a nice increment, 0-19): when both want the cores, requests are answered first and analysis "
        "catches up after. Only the thread that analyses is lowered: each worker's database writer keeps the API's "
        "priority, as it holds the write lock ingest waits for. 0 shares the CPU equally. `beffroi worker` "
        "processes keep their own priority.",
    )
    worker_batch_size: int = _setting(
        128,
        "Items an analysis worker claims at once. Larger batches spread each batch's fixed cost (its queries and "
        "commits) over more items; smaller ones hold the SQLite write lock for less time (docs/benchmarks.md).",
    )
    job_max_attempts: int = _setting(5, "Attempts before an item's analysis is marked failed.")
    job_retry_base_seconds: float = _setting(2.0, "First retry delay; doubles at each attempt (exponential backoff).")
    job_lease_seconds: float = _setting(
        120.0, "How long a claimed job stays with a worker before another may take it (crash recovery)."
    )
    analyzers: str = _setting("", "Comma-separated analyzer names to run. Empty runs every registered analyzer.")
    text_model_threads: int = _setting(
        2,
        "Texts the text model (analyzer `text_model`, `beffroi classify`) runs at once, one core each, in each "
        "process that runs it: set it to the cores you give that process.",
    )
    text_model_explain: bool = _setting(
        True,
        "Give the text model's flagged labels the spans of text that drove them. Each flagged text then costs one "
        "more model pass per word (docs/analyzers/text-model.md): turn it off where analysis must keep up with a "
        "stream in which many posts are flagged.",
    )
    ingest_processes: int = _setting(
        1,
        "Processes that `beffroi serve` starts to validate and prepare batches (`POST /v1/items/batch`), so the "
        "API's own process only stores them: on two cores the batch endpoint ran 40-75% faster "
        "(docs/benchmarks.md). 0 prepares batches in the API's process.",
    )
    max_text_chars: int = _setting(20_000, "Longest accepted item text, in characters.")
    max_media_bytes: int = _setting(50 * 1024 * 1024, "Largest accepted media file, in bytes.")
    max_batch_items: int = _setting(1000, "Most items accepted in one batch request.")
    media_types: str = _setting(
        "image/jpeg,image/png,image/gif,image/webp,video/mp4,video/webm,video/quicktime,audio/mpeg,audio/ogg",
        "Comma-separated media types accepted.",
    )
    media_fetch_timeout_seconds: float = _setting(20.0, "Timeout for fetching media given by URL.")
    wait_max_seconds: float = _setting(30.0, "Longest a `wait` request may hold for its analysis.")
    token_cache_seconds: float = _setting(
        5.0, "How long a verified API token is cached in memory; a revoked token stops within this."
    )
    session_hours: float = _setting(12.0, "Lifetime of a token issued by password login.")
    policy_file: str = _setting(
        "",
        "The policy's YAML file (docs/policy.md), for the spaces where no stored version is active, neither their "
        "own nor the installation default's. Empty: the shipped default policy. `thresholds`: the older "
        "threshold policy, tuned by BEFFROI_REVIEW_THRESHOLD and BEFFROI_HOLD_THRESHOLD.",
    )
    review_threshold: float = _setting(
        0.5, "Threshold policy only: a harm signal at or above this opens the item for review."
    )
    hold_threshold: float = _setting(
        0.8, "Threshold policy only: a harm signal at or above this holds the item until a moderator decides."
    )
    review_sla_hours: float = _setting(
        24.0, "Hours within which a newly opened case should be decided: its due time in the review queues."
    )
    review_sla_by_queue: str = _setting(
        "",
        "Per-queue SLA in hours, overriding BEFFROI_REVIEW_SLA_HOURS for the queues named, e.g. "
        "`threats=4,notices=24`. Applied when a case opens.",
    )
    review_lock_minutes: float = _setting(
        30.0, "How long a claimed case stays locked to its reviewer; claiming it again renews the lock."
    )
    grounds_file: str = _setting(
        "",
        "The policy grounds' YAML file (docs/review.md): what decisions rest on, with their DSA categories. "
        "Empty: the shipped default grounds.",
    )
    second_review_actions: str = _setting(
        "report_authorities,terminate_account",
        "Comma-separated decision actions that take effect only once a second reviewer confirms them.",
    )
    second_review_official_actions: str = _setting(
        "remove,hide",
        "Comma-separated decision actions that need a second reviewer when an item's author is an elected "
        "official or public figure (item context `author_is_official`).",
    )
    appeal_days: int = _setting(
        183,
        "Days after a decision takes effect during which its author may appeal. The DSA (Art. 20) asks for "
        "at least six months.",
    )
    notice_rate_limit: int = _setting(
        20,
        "Notices one source (a token's member, else the notifier's email, else the client address) may send per "
        "hour. Past it, notices are refused with 429 and that source's notices of the hour are flagged as a flood.",
    )
    log_level: str = _setting("info", "Logging level: debug, info, warning, error.")

    @property
    def database(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path(self.data_dir).resolve() / 'beffroi.db'}"

    @property
    def review_sla(self) -> timedelta:
        return timedelta(hours=self.review_sla_hours)

    def check(self) -> None:
        """Values their type alone does not vouch for: a mistake stops start-up instead of the first case."""
        for entry in self.review_sla_by_queue.split(","):
            if entry.strip():
                _queue_sla(entry)
        if self.notice_rate_limit < 1:
            raise ConfigError(f"BEFFROI_NOTICE_RATE_LIMIT={self.notice_rate_limit}: allow at least 1 notice an hour")
        if not 0 <= self.worker_nice <= 19:
            raise ConfigError(f"BEFFROI_WORKER_NICE={self.worker_nice}: use 0 (the API's priority) to 19 (the lowest)")
        if self.ingest_processes < 0:
            raise ConfigError(f"BEFFROI_INGEST_PROCESSES={self.ingest_processes}: use 0 (none) or more")

    @property
    def review_sla_overrides(self) -> dict[str, timedelta]:
        """BEFFROI_REVIEW_SLA_BY_QUEUE parsed: queue -> SLA. Raises ConfigError naming the entry that is wrong."""
        return dict(_queue_sla(entry) for entry in self.review_sla_by_queue.split(",") if entry.strip())

    def review_sla_for(self, queue: str) -> timedelta:
        return self.review_sla_overrides.get(queue, self.review_sla)

    @property
    def review_lock(self) -> timedelta:
        return timedelta(minutes=self.review_lock_minutes)

    @property
    def appeal_period(self) -> timedelta:
        return timedelta(days=self.appeal_days)

    @property
    def blob_dir(self) -> Path:
        return Path(self.data_dir) / "blobs"

    @property
    def media_type_set(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.media_types.split(",") if t.strip())

    @property
    def analyzer_names(self) -> tuple[str, ...]:
        return tuple(n.strip() for n in self.analyzers.split(",") if n.strip())

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Config file, then environment, then explicit overrides (command-line flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        config_path = env.get(ENV_PREFIX + "CONFIG")
        if config_path:
            values.update(_read_config(Path(config_path)))
        for spec in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + spec.name.upper())
            if raw is not None:
                values[spec.name] = _parse(spec, raw, f"{ENV_PREFIX}{spec.name.upper()}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def describe(self) -> list[tuple[str, str, str]]:
        """(NAME, value, help) rows; secrets are masked."""
        rows = []
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            shown = "********" if spec.metadata["secret"] and value else str(value)
            rows.append((ENV_PREFIX + spec.name.upper(), shown, str(spec.metadata["help"])))
        return rows


def _queue_sla(entry: str) -> tuple[str, timedelta]:
    queue, _, hours = (part.strip() for part in entry.partition("="))
    try:
        sla = timedelta(hours=float(hours))
    except ValueError:
        sla = timedelta(0)
    if not queue or sla <= timedelta(0):
        raise ConfigError(
            f"BEFFROI_REVIEW_SLA_BY_QUEUE: {entry.strip()!r} is not QUEUE=HOURS with hours above 0",
            hint="write it as threats=4,notices=24",
        )
    return queue, sla


_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


def _parse(spec: dataclasses.Field[Any], raw: str, source: str) -> Any:
    kind: type[Any] = type(cast(object, spec.default))
    try:
        if kind is bool:  # bool("false") is True: read the word instead
            return _BOOLEANS[raw.strip().lower()]
        return kind(raw)
    except (ValueError, KeyError):
        raise ConfigError(f"{source}={raw!r} is not a valid {kind.__name__}: {spec.metadata['help']}") from None


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist (named by {ENV_PREFIX}CONFIG)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    known = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ConfigError(f"{path}: unknown setting {key!r}; see docs/settings.md for the list")
        values[key] = _parse(known[key], str(value), f"{path}: {key}")
    return values
