"""Reloadable rules: `RuleSetHolder` holds the current RuleSet and swaps it only for a valid one.

Pure apart from reading the rule files: `reload()` validates the new files first and keeps the
old rules when they are broken (logging the RuleError's `file:line: field: problem`);
`changed()` compares file modification times, so a transport can poll it every few seconds,
and call `reload()` on SIGHUP too. In-flight alerts are never dropped: candidates already
matched carry their rule name and group state lives in the store, not in the RuleSet.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from services.alerting.rules import RuleError, RuleSet
from shared.observability import get_logger

log = get_logger("alerting.rules")

Stat = Callable[[Path], float | None]
Listener = Callable[[RuleSet], None]


def _mtime(path: Path) -> float | None:
    try:
        return os.stat(path).st_mtime_ns / 1e9
    except OSError:
        return None


class RuleSetHolder:
    def __init__(
        self,
        paths: Sequence[Path],
        *,
        loader: Callable[..., RuleSet] = RuleSet.load,
        stat: Stat = _mtime,
    ) -> None:
        self.paths = tuple(Path(p) for p in paths)
        self._loader, self._stat = loader, stat
        self._stamps = self._read_stamps()
        self.current = loader(*self.paths)  # a broken pack at start-up still stops start-up
        self.last_error: RuleError | None = None
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(new_rules)` after every successful reload."""
        self._listeners.append(listener)

    def changed(self) -> bool:
        return self._read_stamps() != self._stamps

    def reload(self) -> bool:
        """Load the files again; True if the new rules replaced the old ones."""
        self._stamps = self._read_stamps()
        try:
            rules = self._loader(*self.paths)
        except RuleError as exc:
            self.last_error = exc
            log.error("rules_reload_failed", error=str(exc), kept=len(self.current))
            return False
        except Exception as exc:  # whatever the files hold, a reload never stops the worker
            self.last_error = RuleError(str(self.paths[0]) if self.paths else "", 0, "",
                                        f"{type(exc).__name__}: {exc}")
            log.error("rules_reload_failed", error=str(self.last_error),
                      error_type=type(exc).__name__, kept=len(self.current))
            return False
        self.current, self.last_error = rules, None
        log.info("rules_reloaded", rules=len(rules), files=[str(p) for p in self.paths])
        for listener in self._listeners:
            listener(rules)
        return True

    def reload_if_changed(self) -> bool:
        return self.changed() and self.reload()

    def _read_stamps(self) -> tuple[float | None, ...]:
        return tuple(self._stat(p) for p in self.paths)
