"""`frontwire extract PATH...` as a user runs it: one JSON object per input, in input order,
gzip read transparently, `-` for stdin, and a per-input error object for bad inputs."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import orjson

from tests.support.cluster import FRONTWIRE

STORY = (
    "The regional rail operator restored full service on the coastal line on Thursday after "
    "engineers finished repairing a bridge that had been damaged by floods last month.\n"
    "Commuters said journeys were back to normal, and the operator promised refunds for "
    "season-ticket holders who had been affected by the weeks of replacement buses."
)
PAGE = (
    "<!doctype html><html lang='en'><head><title>Coastal line reopens</title>"
    "<link rel='canonical' href='https://rail.example/coastal-line'>"
    "<meta name='author' content='Ann Keller'>"
    "<meta property='article:published_time' content='2024-02-01T08:00:00Z'>"
    "<meta property='article:modified_time' content='2024-02-02T08:00:00Z'></head>"
    "<body><h1>Coastal line reopens</h1>"
    + "".join(f"<p>{line}</p>" for line in STORY.split("\n"))
    + "<p>Share this article</p></body></html>"
)


def _extract(*args: str, stdin: bytes = b"") -> tuple[int, list[dict[str, object]], str]:
    done = subprocess.run(
        [str(FRONTWIRE), "extract", *args], input=stdin, capture_output=True, timeout=120
    )
    lines = [orjson.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return done.returncode, lines, done.stderr.decode()


def test_extract_prints_one_object_per_input_in_order(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    packed = tmp_path / "dump.txt.gz"
    packed.write_bytes(
        gzip.compress(("Coastal line reopens\n" + STORY.replace("Thursday", "Friday")).encode())
    )
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><p>Too short.</p></body></html>", encoding="utf-8")
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_bytes(
        b'{"url": "https://a.example/x", "text": "%s"}\nnot json\n'
        % STORY.replace("rail", "tram").replace("\n", " ").encode()
    )
    missing = tmp_path / "missing.html"
    stdin = STORY.replace("coastal", "mountain").encode()

    code, out, err = _extract(
        str(page), str(packed), "-", str(empty), str(missing), str(jsonl), stdin=stdin
    )

    assert [o["path"] for o in out] == [
        str(page),
        str(packed),
        "-",
        str(empty),
        str(missing),
        f"{jsonl}:1",
        f"{jsonl}:2",
    ]
    html, dump, piped, short, absent, line1, line2 = out
    assert html["text"] == STORY and html["title"] == "Coastal line reopens"
    assert html["canonical_url"] == "https://rail.example/coastal-line"
    assert html["authors"] == ["Ann Keller"]
    assert html["published"] == "2024-02-01T08:00:00+00:00"
    assert html["modified"] == "2024-02-02T08:00:00+00:00"
    assert "Friday" in str(dump["text"]) and "error" not in dump
    assert "mountain" in str(piped["text"]) and piped["source"] == "stdin"
    assert short["error"] == "no_body"
    assert absent["error"] == "unreadable" and "missing.html" in str(absent["detail"])
    assert "tram" in str(line1["text"])
    assert line2["error"] == "unreadable" and "not JSON" in str(line2["detail"])
    assert code == 1 and "missing.html" in err  # some input could not be read


def test_extract_exit_status_is_zero_when_every_input_was_read(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(PAGE.encode()))
    code, out, _ = _extract(str(page))
    assert code == 0 and len(out) == 1 and out[0]["text"] == STORY
