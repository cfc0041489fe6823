"""Build sinks from configuration, e.g.

    {"console": {"type": "stdout"},
     "history": {"type": "jsonl", "path": "var/alerts.jsonl"},
     "ops": {"type": "webhook", "url": "https://...", "secret_env": "FRONTWIRE_WEBHOOK_SECRET"},
     "team": {"type": "slack", "url_env": "FRONTWIRE_SLACK_WEBHOOK_URL"},
     "desk": {"type": "slack_api", "token_env": "SLACK_BOT_TOKEN", "channel": "C0123",
              "update": "edit", "store_path": "var/state/slack.sqlite"}}

Secrets (signing keys, Slack URLs) are best given by environment variable name (`*_env`).
Errors name the sink and the option, never a value: a value may be a secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, ValidationError

from services.alerting.sinks.base import Sink
from services.alerting.sinks.http import RetryPolicy
from services.alerting.sinks.jsonl import JsonlFileSink
from services.alerting.sinks.slack import SlackSink
from services.alerting.sinks.slack_api import DEFAULT_BASE_URL, SlackApiSink
from services.alerting.sinks.slack_store import MemorySlackStore, SqliteSlackStore
from services.alerting.sinks.stdout import StdoutSink
from services.alerting.sinks.webhook import WebhookSink
from shared.errors import ConfigError


class SinkConfigError(ConfigError, ValueError):
    pass


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Stdout(_Spec):
    type: Literal["stdout", "console"]
    format: Literal["auto", "json", "text"] = "json"  # auto: for people on a terminal


class _Jsonl(_Spec):
    type: Literal["jsonl", "file"]
    path: str
    fsync: bool = False


class _Http(_Spec):
    url: SecretStr | None = None
    url_env: str | None = None
    timeout_s: float = Field(5.0, gt=0)
    max_attempts: int = Field(5, ge=1)
    max_elapsed_s: float = Field(30.0, gt=0)


class _Webhook(_Http):
    type: Literal["webhook"]
    secret: SecretStr | None = None
    secret_env: str | None = None


class _Slack(_Http):
    type: Literal["slack"]


class _SlackApi(_Spec):
    type: Literal["slack_api"]
    token: SecretStr | None = None
    token_env: str | None = None
    channel: str = Field(min_length=1)
    base_url: str = DEFAULT_BASE_URL
    update: Literal["edit", "thread"] = "edit"
    store_path: str | None = None  # SQLite file for message ts per alert (default: memory)
    timeout_s: float = Field(5.0, gt=0)
    max_attempts: int = Field(5, ge=1)
    max_elapsed_s: float = Field(30.0, gt=0)


_AnySpec = Annotated[_Stdout | _Jsonl | _Webhook | _Slack | _SlackApi, Field(discriminator="type")]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(_AnySpec)


def build_sinks(
    spec: Mapping[str, Mapping[str, Any]], env: Mapping[str, str] | None = None
) -> dict[str, Sink]:
    environ = os.environ if env is None else env
    return {name: _build(name, _parse(name, options), environ) for name, options in spec.items()}


def _parse(name: str, options: Mapping[str, Any]) -> Any:
    try:
        return _ADAPTER.validate_python(dict(options))
    except ValidationError as exc:
        first = exc.errors()[0]
        # Only the location and message: pydantic's full text would echo the (secret) input.
        field = ".".join(str(p) for p in first["loc"][1:] or first["loc"])
        raise SinkConfigError(f"sink {name!r}: {field}: {first['msg']}") from None


def _build(name: str, spec: Any, env: Mapping[str, str]) -> Sink:
    if isinstance(spec, _Stdout):
        return StdoutSink(fmt=spec.format, name=name)
    if isinstance(spec, _Jsonl):
        return JsonlFileSink(spec.path, name=name, fsync=spec.fsync)
    if isinstance(spec, _SlackApi):
        return _slack_api(name, spec, env)
    url = _secret(name, "url", spec.url, spec.url_env, env)
    if not url:
        raise SinkConfigError(f"sink {name!r}: url: set url or url_env")
    if not url.startswith(("http://", "https://")):
        raise SinkConfigError(f"sink {name!r}: url: must be an http(s) URL")
    policy = RetryPolicy(max_attempts=spec.max_attempts, max_elapsed_s=spec.max_elapsed_s)
    if isinstance(spec, _Slack):
        return SlackSink(url, spec.timeout_s, name=name, policy=policy)
    secret = _secret(name, "secret", spec.secret, spec.secret_env, env)
    return WebhookSink(url, secret, spec.timeout_s, name=name, policy=policy)


def _secret(
    name: str, field: str, value: SecretStr | None, env_name: str | None, env: Mapping[str, str]
) -> str | None:
    if value is not None and env_name:
        raise SinkConfigError(f"sink {name!r}: {field}: give {field} or {field}_env, not both")
    if env_name:
        if not env.get(env_name):
            raise SinkConfigError(f"sink {name!r}: {field}_env: ${env_name} is not set")
        return env[env_name]
    return value.get_secret_value() if value is not None else None


def _slack_api(name: str, spec: _SlackApi, env: Mapping[str, str]) -> Sink:
    token = _secret(name, "token", spec.token, spec.token_env, env)
    if not token:
        raise SinkConfigError(f"sink {name!r}: token: set token or token_env")
    if not spec.base_url.startswith(("http://", "https://")):
        raise SinkConfigError(f"sink {name!r}: base_url: must be an http(s) URL")
    store = SqliteSlackStore(spec.store_path) if spec.store_path else MemorySlackStore()
    policy = RetryPolicy(max_attempts=spec.max_attempts, max_elapsed_s=spec.max_elapsed_s)
    return SlackApiSink(
        token,
        spec.channel,
        base_url=spec.base_url,
        update=spec.update,
        store=store,
        timeout=spec.timeout_s,
        name=name,
        policy=policy,
    )
