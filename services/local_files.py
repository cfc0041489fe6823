"""Local files as raw articles: HTML pages, text dumps and JSONL, gzip or not, or stdin."""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from services.fetcher.poller import push_article
from shared.codec import CodecError, decode
from shared.errors import InputError
from shared.records import RawArticle


class UnreadableInput(InputError, ValueError):
    """A local input that cannot be read as an article."""


def read_inputs(paths: Iterable[str]) -> Iterator[tuple[str, RawArticle]]:
    """Yield (path, article) in input order; a JSONL file yields one article per line."""
    for path, item in read_each(paths):
        if isinstance(item, UnreadableInput):
            raise item
        yield path, item


def read_each(paths: Iterable[str]) -> Iterator[tuple[str, RawArticle | UnreadableInput]]:
    """Like `read_inputs`, but an input that cannot be read yields its UnreadableInput in its place
    (a bad file or JSONL line costs only itself)."""
    for path in paths:
        try:
            data = _read_bytes(path)
        except UnreadableInput as exc:
            yield path, exc
            continue
        name = path[:-3] if path.endswith(".gz") else path
        if name.endswith((".jsonl", ".ndjson")):
            for lineno, line in enumerate(data.splitlines(), 1):
                if line.strip():
                    where = f"{path}:{lineno}"
                    try:
                        yield where, _from_json_line(line, where)
                    except UnreadableInput as exc:
                        yield where, exc
        else:
            yield path, _from_document(data, path)


def _read_bytes(path: str) -> bytes:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableInput(f"{path}: {exc.strerror or exc}") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise UnreadableInput(f"{path}: broken gzip data: {exc}") from exc
    return raw


def _from_document(data: bytes, path: str) -> RawArticle:
    text = data.decode("utf-8", errors="replace")
    head = text[:2048].lower()
    name = path.removesuffix(".gz")
    is_html = "<html" in head or "<!doctype html" in head or name.endswith((".html", ".htm"))
    source = "stdin" if path == "-" else f"file:{path}"
    return push_article(None, text, "text/html" if is_html else "text/plain", source=source)


def _from_json_line(line: bytes, where: str) -> RawArticle:
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise UnreadableInput(f"{where}: not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise UnreadableInput(f"{where}: expected a JSON object")
    if "schema" in obj:
        try:
            return decode(line, RawArticle)
        except CodecError as exc:
            raise UnreadableInput(f"{where}: {exc}") from exc
    body = obj.get("html") or obj.get("body") or obj.get("text")
    if not isinstance(body, str):
        raise UnreadableInput(f"{where}: needs one of 'html', 'body' or 'text' as a string")
    content_type = obj.get("content_type") or ("text/html" if "html" in obj else "text/plain")
    return push_article(
        obj.get("url"), body, content_type, source=f"file:{where}", title=obj.get("title")
    )
