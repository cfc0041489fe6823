"""YAML loading that remembers the line of every value, so errors can say file:line.

`yaml.compose` keeps each node's start mark; we build plain Python data from the node tree
and, alongside it, a map from the value's path (("rules", 0, "match", "min_quantity")) to
its 1-based line. Duplicate mapping keys are refused: PyYAML silently keeps the last one,
which would let a typo'd second `severity:` override the first without anyone noticing.
"""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class YamlError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one YAML document; return (data, {path: line})."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"invalid YAML: {exc.problem or exc}") from exc
    lines: dict[Path_, int] = {}
    if node is None:
        return None, lines
    return _build(node, (), lines, yaml.SafeLoader("")), lines


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int], ctor: yaml.SafeLoader) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = ctor.construct_object(key_node, deep=True)
            if key in out:
                raise YamlError(key_node.start_mark.line + 1, f"{key}: duplicate key")
            key_path = (*path, str(key))
            out[key] = _build(value_node, key_path, lines, ctor)
            # A key's own line is more useful than its value's (which may be on the next line).
            lines[key_path] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, ctor) for i, item in enumerate(node.value)]
    return ctor.construct_object(node, deep=True)


def line_of(lines: dict[Path_, int], loc: Path_) -> int:
    """Line of the deepest known prefix of `loc` (a missing field points at its parent)."""
    for end in range(len(loc), -1, -1):
        if (found := lines.get(tuple(loc[:end]))) is not None:
            return found
    return 1
