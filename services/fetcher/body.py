"""Reading a response body under a size cap, decompressing gzip/deflate ourselves so that the
cap also bounds the *decoded* size (a compression bomb stops at ``cap`` bytes)."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from shared.errors import InputError


class BodyTooLarge(InputError):
    pass


class UnsupportedEncoding(InputError):
    pass


class _Decoder:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._z: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def decode(self, chunk: bytes, budget: int) -> bytes:
        if self.encoding in ("", "identity"):
            return chunk
        if self._z is None:  # deflate: zlib-wrapped (RFC) or raw (some servers)
            if self.encoding != "deflate":
                raise UnsupportedEncoding(f"content-encoding {self.encoding!r}")
            wrapped = bool(chunk) and chunk[0] & 0x0F == 8
            self._z = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        try:
            out = self._z.decompress(chunk, max(budget, 1))
            # gzip allows several members back to back (RFC 1952 2.2): keep going.
            while self.encoding != "deflate" and self._z.eof and self._z.unused_data:
                rest, self._z = self._z.unused_data, zlib.decompressobj(16 + zlib.MAX_WBITS)
                out += self._z.decompress(rest, max(budget - len(out), 1))
            return out
        except zlib.error as exc:
            raise UnsupportedEncoding(f"corrupt {self.encoding} body: {exc}") from exc

    def flush(self) -> bytes:
        return self._z.flush() if self._z is not None else b""


async def read_capped(chunks: AsyncIterator[bytes], encoding: str, cap: int) -> bytes:
    """Concatenate raw ``chunks``, decoded per ``encoding``; BodyTooLarge past ``cap`` bytes,
    raw or decoded."""
    decoder = _Decoder(encoding.strip().lower())
    out = bytearray()
    raw = 0
    async for chunk in chunks:
        raw += len(chunk)
        if raw > cap:
            raise BodyTooLarge(f"body over {cap} bytes")
        out += decoder.decode(chunk, cap + 1 - len(out))
        if len(out) > cap:
            raise BodyTooLarge(f"decoded body over {cap} bytes")
    out += decoder.flush()
    if len(out) > cap:
        raise BodyTooLarge(f"decoded body over {cap} bytes")
    return bytes(out)
