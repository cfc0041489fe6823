"""YAML loading that remembers the line of every value, so errors can say file:line.

`yaml.compose` keeps each node's start mark; we build plain Python data from the node tree
and, alongside it, a map from the value's path (("rules", 0, "match", "min_quantity")) to
its 1-based line. Duplicate mapping keys are refused: PyYAML silently keeps the last one,
which would let a typo'd second `severity:` override the first without anyone noticing.

Rule files are configuration, but a reload reads whatever is on disk, so building is bounded:
composing is cheap (an alias is one shared node), expanding is where an alias bomb explodes,
so at most ``MAX_NODES`` values are built and ``MAX_DEPTH`` levels nested; an alias that
contains itself and a key that is not a scalar (unhashable in Python) are refused with the
line they are on. Every refusal is a `YamlError`, never a RecursionError or a TypeError.
"""

from __future__ import annotations

from typing import Any

import yaml

from shared.errors import ConfigError

Path_ = tuple[str | int, ...]

MAX_NODES = 100_000  # values built from one file (the default pack has ~3,000)
MAX_DEPTH = 64  # nesting of mappings and sequences
MAX_CHARS = 5_000_000  # of the file itself


class YamlError(ConfigError, ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document; return (data, {path: line})."""
    if len(text) > MAX_CHARS:
        raise YamlError(1, f"file of {len(text)} characters (at most {MAX_CHARS})")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(1, f"invalid YAML: {exc}") from exc
    except RecursionError:
        raise YamlError(1, "invalid YAML: nested too deeply") from None
    lines: dict[Path_, int] = {}
    if node is None:
        return None, lines
    return _Builder(lines).build(node, ()), lines


class _Builder:
    def __init__(self, lines: dict[Path_, int]) -> None:
        self.lines = lines
        self.ctor = yaml.SafeLoader("")
        self.built = 0
        self.open: set[int] = set()  # ids of the collection nodes being built (the path)

    def build(self, node: yaml.Node, path: Path_) -> Any:
        line = node.start_mark.line + 1
        self.built += 1
        if self.built > MAX_NODES:
            # The line of the top-level entry being expanded: where the bomb is set off.
            where = self.lines.get(path[:1], line)
            raise YamlError(where, f"more than {MAX_NODES} values once aliases are expanded "
                                   "(an alias bomb?)")
        self.lines[path] = line
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            return self._scalar(node, line)
        if id(node) in self.open:
            raise YamlError(line, "an alias refers to a node that contains it (recursive alias)")
        if len(self.open) >= MAX_DEPTH:
            raise YamlError(line, f"nested more than {MAX_DEPTH} levels deep")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_line, "a mapping key must be a plain value, not a "
                                          "mapping or a list")
            key = self._scalar(key_node, key_line)
            if key in out:
                raise YamlError(key_line, f"{key}: duplicate key")
            key_path = (*path, str(key))
            self.lines[key_path] = key_line
            out[key] = self.build(value_node, key_path)
            # A key's own line is more useful than its value's (which may be on the next line).
            self.lines[key_path] = key_line
        return out

    def _scalar(self, node: yaml.Node, line: int) -> Any:
        try:
            return self.ctor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise YamlError(line, f"invalid value: {exc}") from exc
        except (ValueError, OverflowError) as exc:  # e.g. a timestamp out of range
            raise YamlError(line, f"invalid value: {exc}") from exc


def line_of(lines: dict[Path_, int], loc: Path_) -> int:
    """Line of the deepest known prefix of `loc` (a missing field points at its parent)."""
    for end in range(len(loc), -1, -1):
        if (found := lines.get(tuple(loc[:end]))) is not None:
            return found
    return 1
