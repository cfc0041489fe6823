"""Validated settings, read once by the composition root.

Sources, highest priority first: environment variables (``FRONTWIRE_*``, and the conventional
``KAFKA_BOOTSTRAP_SERVERS``), then files in the directory named by ``FRONTWIRE_SECRETS_DIR``
(one per setting, named like its variable, e.g. ``FRONTWIRE_API_TOKEN``: how Docker and
Kubernetes hand over secrets without putting them in the environment), then the YAML file
named by ``FRONTWIRE_CONFIG``, then defaults.
A bad value stops start-up with an error that names the field (`SettingsError`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from shared.errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FEEDS = PACKAGE_ROOT / "services" / "fetcher" / "feeds.yaml"
DEFAULT_RULES = PACKAGE_ROOT / "services" / "alerting" / "rules" / "default.yaml"

ServiceName = Literal["fetcher", "cleaner", "enricher", "alerting"]
SERVICES: tuple[ServiceName, ...] = ("fetcher", "cleaner", "enricher", "alerting")


class SettingsError(ConfigError, ValueError):
    """Start-up configuration error; the message names each bad field."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FRONTWIRE_", extra="forbid", frozen=True, populate_by_name=True
    )

    kafka_bootstrap_servers: str = Field(
        "localhost:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
    )
    topic_prefix: str = "frontwire"
    partitions: int = Field(4, ge=1, le=256)
    # How long a worker's producer holds a record to send it with others. 0 makes every record
    # its own produce request, which at 100 articles/s on 2 cores left the pipeline behind; a
    # few ms cost that much latency when records are sparse (figures: docs/deploy.md,
    # "Supervision and probes").
    producer_linger_ms: int = Field(5, ge=0, le=1000)
    # A stable name for this worker (e.g. the pod or host name). It turns on Kafka's static
    # group membership: a restarted worker takes its partitions straight back instead of
    # waiting out its old session and setting off a rebalance of the whole group.
    instance_id: str | None = None
    web_host: str = "127.0.0.1"
    web_port: int = Field(6066, ge=0, le=65535)
    state_dir: Path = Path("var/state")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool | None = None  # None: JSON unless stderr is a terminal

    feeds_file: Path = DEFAULT_FEEDS
    poll_interval_s: float = Field(300.0, gt=0)
    user_agent: str = "frontwire/0.1 (+https://github.com/frontwire/frontwire)"
    fetch_allow_hosts: list[str] = Field(default_factory=list)
    fetch_allow_private: bool = False
    fetch_timeout_s: float = Field(10.0, gt=0)

    rules_files: list[Path] = Field(default_factory=lambda: [DEFAULT_RULES])
    console_sink: bool = True
    console_format: Literal["auto", "json", "text"] = "auto"  # auto: JSON unless a terminal
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    jsonl_sink_path: Path | None = None
    push_token: SecretStr | None = None
    websub_callback_base: str | None = None  # where hubs can reach this fetcher's callbacks
    websub_secret: SecretStr | None = None  # shared by all fetcher instances
    slack_webhook_url: SecretStr | None = None
    slack_token: SecretStr | None = None
    slack_channel: str | None = None
    slack_update: Literal["edit", "thread"] = "edit"

    api_enabled: bool = True
    api_host: str = "127.0.0.1"
    api_port: int = Field(8080, ge=0, le=65535)
    api_token: SecretStr | None = None

    # --- retention: how long state is kept (issue 11; docs/state.md) --------------------
    # Every store and table forgets what nobody used for this long; a seen key still in use
    # is touched when it is read, so it never expires while a feed lists it. Distributed mode
    # hands the same figures to Kafka as the changelog topics' retention.ms (compact,delete).
    retention_seen_s: float = Field(30 * 86400.0, ge=3600)  # fetcher seen-set, validators
    retention_groups_s: float = Field(30 * 86400.0, ge=3600)  # alert groups not updated
    retention_deliveries_s: float = Field(30 * 86400.0, ge=3600)  # delivery records
    retention_silences_s: float = Field(7 * 86400.0, ge=0)  # ended silences (audit trail)
    max_silences: int = Field(1000, ge=1, le=100_000)  # silences that have not ended
    robots_cache_max: int = Field(10_000, ge=10)  # origins whose robots.txt is cached
    prune_every_s: float = Field(3600.0, gt=0)  # how often embedded mode applies retention
    # Where a distributed worker keeps its faust tables: "rocksdb" on disk under state_dir
    # (a restart reads only the changelog written since it stopped: 100,000 alerts cost
    # seconds, not minutes), or "memory" (a restart restores every table from its changelog).
    # With rocksdb each instance uses its own folder under state_dir (instance id, else host
    # name and port).
    table_store: Literal["memory", "rocksdb"] = "rocksdb"

    @field_validator("retention_deliveries_s")
    @classmethod
    def _deliveries_within_groups(cls, value: float, info: ValidationInfo) -> float:
        # A group forgotten while its delivery records live on would make the next report of
        # that event (version 1 again, same alert id) look delivered: a lost alert.
        groups = info.data.get("retention_groups_s")
        if groups is not None and value > groups:
            raise ValueError(f"must not exceed retention_groups_s ({groups:g})")
        return value

    # --- end of retention ---------------------------------------------------------------

    # Issue 12, safe by default (SECURITY.md). Host names the API and the fetcher's endpoints
    # are reached by besides loopback names and IP literals (requests naming any other Host
    # are refused: DNS rebinding), and origins besides their own allowed to call them from a
    # browser.
    public_hosts: list[str] = Field(default_factory=list)
    allowed_origins: list[str] = Field(default_factory=list)
    # Ports the fetcher may connect to besides 80 and 443 (allow-listed hosts are exempt).
    fetch_allow_ports: list[int] = Field(default_factory=list)
    # Live-stream (SSE) clients served at once; more get 503 (each holds a task and a queue).
    api_max_subscribers: int = Field(100, ge=1, le=100_000)

    @field_validator("fetch_allow_ports")
    @classmethod
    def _ports(cls, value: list[int]) -> list[int]:
        if bad := [p for p in value if not 1 <= p <= 65535]:
            raise ValueError(f"ports must be 1-65535, got {bad}")
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            scheme, sep, rest = origin.partition("://")
            if scheme not in ("http", "https") or not sep or not rest or "/" in rest:
                raise ValueError(f"expected scheme://host[:port], got {origin!r}")
        return value

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _servers(cls, value: str) -> str:
        for server in value.split(","):
            host, sep, port = server.strip().rpartition(":")
            if not sep or not host or not port.isdigit():
                raise ValueError(f"expected host:port[,host:port...], got {server!r}")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value or None

    @field_validator("slack_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        return value or None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources = [init_settings, env_settings]
        secrets_dir = os.environ.get("FRONTWIRE_SECRETS_DIR")
        if secrets_dir:
            sources.append(SecretsSettingsSource(settings_cls, secrets_dir=secrets_dir))
        config_file = os.environ.get("FRONTWIRE_CONFIG")
        if config_file:
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=config_file))
        return tuple(sources)

    @property
    def kafka_broker_url(self) -> str:
        """faust's form: kafka://h1:p1;h2:p2."""
        return ";".join(f"kafka://{s.strip()}" for s in self.kafka_bootstrap_servers.split(","))

    def topic(self, name: str) -> str:
        return f"{self.topic_prefix}.{name}" if self.topic_prefix else name


def load_settings(**overrides: Any) -> Settings:
    """Build settings or raise `SettingsError` naming every bad field."""
    config_file = os.environ.get("FRONTWIRE_CONFIG")
    if config_file and not Path(config_file).is_file():
        raise SettingsError(f"FRONTWIRE_CONFIG: no such file: {config_file}")
    secrets_dir = os.environ.get("FRONTWIRE_SECRETS_DIR")
    if secrets_dir and not Path(secrets_dir).is_dir():
        raise SettingsError(f"FRONTWIRE_SECRETS_DIR: no such directory: {secrets_dir}")
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{_field_name(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise SettingsError(f"invalid settings: {problems}") from None


def _field_name(loc: tuple[Any, ...]) -> str:
    name = ".".join(str(part) for part in loc) or "<root>"
    if name == "KAFKA_BOOTSTRAP_SERVERS":
        return name
    return f"FRONTWIRE_{name.split('.')[0].upper()} ({name})"
