"""Record <-> bytes with orjson, behind a versioned envelope.

Wire form: ``{"schema": "frontwire.article.raw", "v": 1, "data": {...}}``. Decoding checks the
schema name and refuses versions newer than the code knows, so a consumer never half-reads a
record; every failure is a `CodecError`, which the transports turn into a dead letter.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast

import orjson
from pydantic import TypeAdapter, ValidationError

from shared.errors import InputError


class Record(Protocol):
    SCHEMA: str
    VERSION: int


R = TypeVar("R")


class CodecError(InputError, ValueError):
    """A message that cannot be turned into the expected record."""


def encode(record: Any) -> bytes:
    return orjson.dumps({"schema": record.SCHEMA, "v": record.VERSION, "data": record})


def to_dict(record: Any) -> dict[str, Any]:
    """Plain JSON-ready dict of a record (no envelope), for sinks and the CLI."""
    return cast(dict[str, Any], orjson.loads(orjson.dumps(record)))


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(cls: type[R]) -> TypeAdapter[R]:
    # Building an adapter compiles a validator; do it once per record class.
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def from_dict(cls: type[R], data: Any) -> R:
    try:
        return _adapter(cls).validate_python(data)
    except ValidationError as exc:
        raise CodecError(f"invalid {cls.__name__}: {_short(exc)}") from exc


def decode(payload: bytes | str, cls: type[R]) -> R:
    return _from_envelope(_envelope(payload), cls)


def decode_any(payload: bytes | str, classes: tuple[type, ...]) -> Any:
    """Decode a record of one of ``classes``, chosen by its envelope's schema name: the
    input of a stage that takes more than one kind of record (a candidate or a tick)."""
    envelope = _envelope(payload)
    for cls in classes:
        if envelope.get("schema") == cast(Record, cls).SCHEMA:
            return _from_envelope(envelope, cls)
    known = ", ".join(cast(Record, c).SCHEMA for c in classes)
    raise CodecError(f"unexpected schema {envelope.get('schema')!r} (expected one of {known})")


def _envelope(payload: bytes | str) -> dict[str, Any]:
    try:
        envelope = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise CodecError(f"not JSON: {exc}") from exc
    if not isinstance(envelope, dict):
        raise CodecError("envelope is not an object")
    return envelope


def _from_envelope(envelope: dict[str, Any], cls: type[R]) -> R:
    schema, version = envelope.get("schema"), envelope.get("v")
    want = cast(Record, cls)
    if schema != want.SCHEMA:
        raise CodecError(f"expected schema {want.SCHEMA!r}, got {schema!r}")
    if not isinstance(version, int) or not 1 <= version <= want.VERSION:
        raise CodecError(f"unsupported {schema} version {version!r} (know 1..{want.VERSION})")
    return from_dict(cls, envelope.get("data"))


def _short(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "<root>"
    return f"{where}: {first['msg']} ({exc.error_count()} error(s))"
