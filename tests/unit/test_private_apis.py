"""No private attribute of faust, aiokafka, mode, httpx, httpcore or feedparser is used outside
the one adapter module each library has (issue 13: "public APIs only, or each private use
isolated in one adapter module").

An AST walk over services/ and shared/ flags, outside the library's adapter:
- ``from lib... import _x`` and imports of a private module (``lib._internal``);
- ``name._x`` anywhere in an attribute chain that starts at a name imported from a library;
- rewriting ``sys.argv`` (for faust, which reads the process's command line);
- the attributes frontwire is known to have needed (``KNOWN``) on any object but ``self`` /
  ``cls``, also through ``getattr``/``setattr``/``hasattr`` with a constant name;
- ``obj._x`` on any object but ``self``/``cls`` or another library's module when ``_x`` is no
  name frontwire defines itself nor a public namedtuple method (so it can only be one of
  these libraries' objects, handed back by their API).
The project's own private names (``self._x``, module-level ``_helpers``) are out of scope.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tests.paths import REPO_ROOT

FAUST_ADAPTER = "shared/kafka/faust_adapter.py"
FEEDPARSER_ADAPTER = "services/fetcher/feedparser_adapter.py"
HTTPX_ADAPTER = "services/fetcher/httpx_adapter.py"  # none needed today: GuardedTransport
ADAPTERS = {
    "faust": FAUST_ADAPTER, "mode": FAUST_ADAPTER, "aiokafka": FAUST_ADAPTER,
    "httpx": HTTPX_ADAPTER, "httpcore": HTTPX_ADAPTER, "feedparser": FEEDPARSER_ADAPTER,
}
# Private or undocumented attributes frontwire has used, and whose they are.
KNOWN = {
    "_commit_offsets": "faust", "buffer": "faust", "flow_control": "faust",
    "recovery": "faust", "spinner": "faust", "_pool": "httpx", "_parse_date": "feedparser",
}
NAMEDTUPLE = {"_replace", "_asdict", "_fields", "_make", "_field_defaults"}
STD_STREAMS = {"sys.stdout", "sys.stdin", "sys.stderr", "sys.__stdout__", "sys.__stdin__"}
SOURCES = ("services", "shared")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str
    library: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what} ({self.library}: belongs in " \
               f"{ADAPTERS.get(self.library, 'an adapter module')})"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def project_names(trees: dict[str, ast.Module]) -> set[str]:
    """Every private name frontwire defines itself: functions, classes, attributes it assigns
    on its own objects (``self._x = ...``), parameters, module and class-level names."""
    names: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                root = _root(node)  # only its own objects: ``transport._pool = ...`` is not
                if isinstance(root, ast.Name) and root.id in ("self", "cls"):
                    names.add(node.attr)
            elif isinstance(node, ast.alias) and node.asname:
                names.add(node.asname)
    return {n for n in names if _private(n)}


def scan(path: str, tree: ast.Module, own: set[str]) -> list[Finding]:
    found: list[Finding] = []
    libs: dict[str, str] = {}  # local name -> library it came from
    others: set[str] = set()  # local names imported from any other module (lxml, zlib, ...)

    def lib_of(module: str | None) -> str | None:
        top = (module or "").split(".")[0]
        return top if top in ADAPTERS else None

    def flag(node: ast.AST, what: str, library: str) -> None:
        if ADAPTERS.get(library) != path:
            found.append(Finding(path, getattr(node, "lineno", 0), what, library))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (lib := lib_of(alias.name)) is None:
                    others.add(alias.asname or alias.name.split(".")[0])
                else:
                    libs[alias.asname or alias.name.split(".")[0]] = lib
                    if any(_private(part) for part in alias.name.split(".")):
                        flag(node, f"import {alias.name}", lib)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if (lib := lib_of(node.module)) is None:
                others.update(alias.asname or alias.name for alias in node.names)
            else:
                if any(_private(part) for part in (node.module or "").split(".")):
                    flag(node, f"from {node.module} import ...", lib)
                for alias in node.names:
                    libs[alias.asname or alias.name] = lib
                    if _private(alias.name):
                        flag(node, f"from {node.module} import {alias.name}", lib)

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            root = _root(node)
            root_name = root.id if isinstance(root, ast.Name) else None
            if root_name in libs and _private(node.attr):
                flag(node, f"{_dotted(node) or '...'}", libs[root_name])
            elif root_name in ("self", "cls") and isinstance(node.value, ast.Name):
                continue  # the project's own attribute
            elif node.attr in KNOWN:
                base = _dotted(node.value)
                if node.attr == "buffer" and base in STD_STREAMS:
                    continue
                flag(node, f"{base or '...'}.{node.attr}", KNOWN[node.attr])
            elif _private(node.attr) and node.attr not in own | NAMEDTUPLE and \
                    root_name not in others:
                flag(node, f"{_dotted(node) or '...'}", "a library")
        elif isinstance(node, ast.Assign) and any(_dotted(t) == "sys.argv" for t in node.targets):
            flag(node, "sys.argv = ... (for faust's command line)", "faust")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("getattr", "setattr", "hasattr", "delattr") and \
                len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
            name = node.args[1].value
            if isinstance(name, str) and name in KNOWN:
                flag(node, f"{node.func.id}(..., {name!r})", KNOWN[name])
    return found


def _trees() -> dict[str, ast.Module]:
    trees = {}
    for top in SOURCES:
        for file in sorted((REPO_ROOT / top).rglob("*.py")):
            rel = file.relative_to(REPO_ROOT).as_posix()
            trees[rel] = ast.parse(file.read_text(encoding="utf-8"), rel)
    return trees


def test_no_private_library_api_outside_the_adapters() -> None:
    trees = _trees()
    own = project_names(trees)
    findings = [f for path, tree in trees.items() for f in scan(path, tree, own)]
    assert not findings, "private library API outside its adapter module:\n" + "\n".join(
        map(str, findings))


def test_the_adapters_exist() -> None:
    for adapter in {FAUST_ADAPTER, FEEDPARSER_ADAPTER}:
        assert (REPO_ROOT / adapter).is_file(), adapter


CAUGHT = '''
import sys
import httpcore
import httpx
import faust.transport.consumer as fc
from feedparser.datetimes import _parse_date
from mode.utils import _internal
from aiokafka import AIOKafkaConsumer

class X:
    def __init__(self):
        self._pool = None          # the project's own: fine
        sys.stdout.buffer.write(b"")  # fine

    async def go(self, app, transport, consumer, worker):
        transport._pool = httpcore.AsyncConnectionPool()
        await consumer._commit_offsets({})
        app.producer.buffer.size
        app.flow_control.is_active()
        getattr(app.tables, "recovery", None)
        worker.spinner = None
        sys.argv = [sys.argv[0], "worker"]
        httpx._transports.default
        fc._private_thing
        AIOKafkaConsumer._fetcher
        app.consumer._never_defined_here
'''


def test_the_scanner_catches_each_kind_of_use() -> None:
    """The scanner itself: every line of CAUGHT below the class header is one finding."""
    tree = ast.parse(CAUGHT)
    own = project_names({"x.py": tree})
    found = {f.line for f in scan("services/x.py", tree, own)}
    lines = CAUGHT.splitlines()
    expected = {i for i, line in enumerate(lines, 1)
                if line.strip().startswith(("from feedparser.datetimes", "from mode.utils"))
                or (i > lines.index("    async def go(self, app, transport, consumer, worker):") + 1
                    and line.strip())}
    assert found == expected, (sorted(found), sorted(expected))
