"""The feed list: a YAML file validated up front, errors naming file, line and field. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from shared.errors import ConfigError

_LANG = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*")

DEFAULT_SOURCES = Path(__file__).with_name("feeds.yaml")
MIN_INTERVAL_S = 10.0
MAX_TIMEOUT_S = 120.0
TYPES = ("feed", "sitemap", "page")
RELIABILITY = ("high", "medium", "low")
_FIELDS = ("name", "url", "type", "interval_s", "min_interval_s", "max_interval_s", "tags",
           "user_agent", "timeout_s")


class SourcesError(ConfigError, ValueError):
    """An invalid sources file; ``str()`` reads ``<file>:<line>: <field>: <problem>``."""

    def __init__(self, path: Path, line: int | None, field_name: str, problem: str) -> None:
        self.path, self.line, self.field, self.problem = path, line, field_name, problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {field_name}: {problem}")


@dataclass(frozen=True)
class Source:
    """One thing to poll. ``type``: ``feed`` (RSS/Atom/JSON Feed), ``sitemap`` (sitemap, news
    sitemap or sitemap index) or ``page`` (the URL itself is the article). The adaptive
    schedule keeps the interval within [min_interval_s, max_interval_s] (defaults: a quarter
    and four times ``interval_s``, never under 10 s)."""

    name: str
    url: str
    interval_s: float = 300
    tags: Mapping[str, str] = field(default_factory=dict, hash=False)
    type: str = "feed"
    min_interval_s: float | None = None
    max_interval_s: float | None = None
    user_agent: str | None = None
    timeout_s: float | None = None

    @property
    def bounds(self) -> tuple[float, float]:
        low = self.min_interval_s or max(MIN_INTERVAL_S, self.interval_s / 4)
        high = self.max_interval_s or self.interval_s * 4
        return min(low, self.interval_s), max(high, self.interval_s)


def load_sources(path: Path) -> list[Source]:
    """Read ``sources: [{name, url, type?, interval_s?, min_interval_s?, max_interval_s?, tags?,
    user_agent?, timeout_s?}, ...]`` (a bare list is accepted too)."""
    path = Path(path)
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except OSError as exc:
        raise SourcesError(path, None, "file", f"cannot read: {exc.strerror or exc}") from exc
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise SourcesError(path, line, "yaml", str(exc.problem or exc)) from exc
    except yaml.YAMLError as exc:
        raise SourcesError(path, None, "yaml", str(exc)) from exc
    return _Reader(path, loader).sources(root)


class _Reader:
    def __init__(self, path: Path, loader: yaml.SafeLoader) -> None:
        self.path, self.loader = path, loader

    def fail(self, node: yaml.Node | None, field_name: str, problem: str) -> SourcesError:
        line = node.start_mark.line + 1 if node is not None else None
        return SourcesError(self.path, line, field_name, problem)

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return node  # the caller reports the wrong type
        return self.loader.construct_object(node, deep=True)

    def sources(self, root: yaml.Node | None) -> list[Source]:
        entries = self._entries(root)
        out: list[Source] = []
        names: dict[str, int] = {}
        for i, node in enumerate(entries.value):
            source = self.source(node, f"sources[{i}]")
            if source.name in names:
                first = names[source.name]
                raise self.fail(node, f"sources[{i}].name",
                                f"duplicate name {source.name!r} (first at line {first})")
            names[source.name] = node.start_mark.line + 1
            out.append(source)
        return out

    def _entries(self, root: yaml.Node | None) -> yaml.SequenceNode:
        if root is None:
            raise self.fail(None, "sources", "file is empty")
        if isinstance(root, yaml.MappingNode):
            found = {self.scalar(k): v for k, v in root.value}
            extra = sorted(str(k) for k in found if k != "sources")
            if extra:
                raise self.fail(root, extra[0], "unknown top-level key (expected 'sources')")
            if "sources" not in found:
                raise self.fail(root, "sources", "missing")
            root = found["sources"]
        if not isinstance(root, yaml.SequenceNode):
            raise self.fail(root, "sources", "must be a list of sources")
        return root

    def source(self, node: yaml.Node, where: str) -> Source:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, where, "must be a mapping with name and url")
        values: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node)
            if key not in _FIELDS:
                allowed = ", ".join(_FIELDS)
                raise self.fail(key_node, f"{where}.{key}", f"unknown field (allowed: {allowed})")
            values[key] = value_node
        for required in ("name", "url"):
            if required not in values:
                raise self.fail(node, f"{where}.{required}", "missing")
        return self.build(node, values, where)

    def build(self, node: yaml.Node, values: dict[str, yaml.Node], where: str) -> Source:
        def opt(key: str) -> float | None:
            got = values.get(key)
            return None if got is None else self.interval(got, f"{where}.{key}")

        source = Source(
            name=self.name(values["name"], f"{where}.name"),
            url=self.url(values["url"], f"{where}.url"),
            interval_s=self.interval(values.get("interval_s"), f"{where}.interval_s"),
            tags=self.tags(values.get("tags"), f"{where}.tags"),
            type=self.choice(values.get("type"), f"{where}.type", TYPES),
            min_interval_s=opt("min_interval_s"),
            max_interval_s=opt("max_interval_s"),
            user_agent=self.optional_name(values.get("user_agent"), f"{where}.user_agent"),
            timeout_s=self.timeout(values.get("timeout_s"), f"{where}.timeout_s"),
        )
        low, high = source.min_interval_s, source.max_interval_s
        if low is not None and high is not None and low > high:
            raise self.fail(values["min_interval_s"], f"{where}.min_interval_s",
                            f"must not exceed max_interval_s ({high:g})")
        return source

    def choice(self, node: yaml.Node | None, where: str, allowed: tuple[str, ...]) -> str:
        if node is None:
            return allowed[0]
        value = self.scalar(node)
        if value not in allowed:
            raise self.fail(node, where, f"must be one of {', '.join(allowed)}, got {value!r}")
        return str(value)

    def optional_name(self, node: yaml.Node | None, where: str) -> str | None:
        return None if node is None else self.name(node, where)

    def timeout(self, node: yaml.Node | None, where: str) -> float | None:
        if node is None:
            return None
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0 < value <= MAX_TIMEOUT_S:
            raise self.fail(node, where, f"must be a number of seconds in (0, {MAX_TIMEOUT_S:g}]")
        return float(value)

    def name(self, node: yaml.Node, where: str) -> str:
        value = self.scalar(node)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, where, "must be a non-empty string")
        return value.strip()

    def url(self, node: yaml.Node, where: str) -> str:
        value = self.scalar(node)
        if not isinstance(value, str):
            raise self.fail(node, where, "must be a string")
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.fail(node, where, f"must be an absolute http(s) URL, got {value!r}")
        return value.strip()

    def interval(self, node: yaml.Node | None, where: str) -> float:
        if node is None:
            return 300.0
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(node, where, "must be a number of seconds")
        if not value >= MIN_INTERVAL_S:  # also refuses NaN
            raise self.fail(node, where, f"must be at least {MIN_INTERVAL_S:g} s, got {value}")
        return float(value)

    def tags(self, node: yaml.Node | None, where: str) -> dict[str, str]:
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, where, "must be a mapping of strings")
        tags: dict[str, str] = {}
        for key_node, value_node in node.value:
            key, value = self.scalar(key_node), self.scalar(value_node)
            if not isinstance(key, str) or not isinstance(value, str | int | float) \
                    or isinstance(value, bool):
                raise self.fail(value_node, f"{where}.{key}", "tag keys and values must be strings")
            tags[key] = str(value)
            self.check_tag(value_node, f"{where}.{key}", key, tags[key])
        return tags

    def check_tag(self, node: yaml.Node, where: str, key: str, value: str) -> None:
        """The tags the pipeline reads have a shape: language (BCP 47-ish) and reliability."""
        if key == "reliability" and value not in RELIABILITY:
            raise self.fail(node, where, f"must be one of {', '.join(RELIABILITY)}")
        if key in ("language", "lang") and not _LANG.fullmatch(value):
            raise self.fail(node, where, f"must be a language tag like 'en' or 'pt-BR': {value!r}")
