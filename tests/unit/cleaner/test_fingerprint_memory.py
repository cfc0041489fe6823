from __future__ import annotations

from services.cleaner import Cleaner
from services.cleaner.fingerprint import SeenHashes, content_hash, hamming, normalise, simhash
from services.cleaner.sitememory import SiteMemory
from tests.unit.cleaner.conftest import raw

WORDS = " ".join(f"word{i}" for i in range(400))


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    assert content_hash("Hello,  World!") == content_hash("hello world")
    assert normalise("Ünïcode  TEXT.") == "ünïcode text"
    assert len(content_hash("x")) == 40


def test_simhash_is_16_hex_digits_and_near_duplicates_are_close() -> None:
    a, b = simhash(WORDS), simhash(WORDS.replace("word200", "changed"))
    other = simhash(" ".join(f"other{i}" for i in range(400)))
    assert len(a) == 16 and int(a, 16) >= 0
    assert hamming(a, b) <= 6 < hamming(a, other)
    assert simhash("") == "0" * 16
    assert simhash("two words") != simhash("other words")


def test_seen_hashes_is_a_bounded_lru() -> None:
    seen = SeenHashes(capacity=2)
    assert not seen.add("a") and not seen.add("b") and seen.add("a")
    assert not seen.add("c")  # evicts "b", the least recently used
    assert len(seen) == 2 and not seen.add("b")


def test_site_memory_learns_recurring_lines_per_host() -> None:
    memory = SiteMemory(min_docs=3)
    footer = "Subscribe to the Harbour Herald print edition today"
    for i in range(3):
        memory.learn("herald.example", [f"Story {i} text is unique here", footer])
    assert memory.is_boilerplate("herald.example", footer)
    assert not memory.is_boilerplate("other.example", footer)
    story = ["A completely new story with many words in its single paragraph"] * 1
    assert memory.strip("herald.example", [*story, footer]) == story


def test_site_memory_is_bounded() -> None:
    memory = SiteMemory(max_sites=2, max_lines=10)
    for host in ("a", "b", "c"):
        memory.learn(host, [f"line number {i}" for i in range(50)])
    assert len(memory._sites) == 2 and all(len(c) <= 10 for c in memory._sites.values())


def test_cleaner_drops_a_footer_learnt_from_the_site() -> None:
    cleaner = Cleaner()
    footer = "Our reporters cover the valley every day, support local journalism now"
    stories = [
        f"Story number {n} tells how the valley council voted on issue {n} after a long debate. "
        f"Members argued for hours about item {n} before a narrow majority approved it."
        for n in range(5)
    ]
    for n, story in enumerate(stories[:4]):
        cleaner.clean(
            raw(
                f"{story}\n{footer}",
                content_type="text/plain",
                url=f"https://valley.example/{n}",
                raw_id=str(n),
            )
        )
    last = cleaner.clean(
        raw(f"{stories[4]}\n{footer}", content_type="text/plain", url="https://valley.example/4")
    )
    assert footer not in last.text and "Story number 4" in last.text


def test_dumps_from_one_host_lose_a_shared_footer_from_the_third_on() -> None:
    """The cleaner gets better as it sees more of a source: a footer line no generic rule
    catches stays in the first two dumps of a host and is removed from the third onwards."""
    cleaner = Cleaner()
    footer = "The Moorland Bugle is printed on recycled paper in the old mill by the river."
    topics = ["the bridge toll", "the school roof", "the market square", "the bus depot"]
    texts = []
    for n, topic in enumerate(topics):
        story = (
            f"Councillors debated {topic} for three hours on Tuesday evening before voting. "
            f"Residents who attended said the decision on {topic} was long overdue."
        )
        body = f"Moorland news {n}\n{story}\n{footer}"
        texts.append(
            cleaner.clean(
                raw(
                    body, content_type="text/plain", url=f"https://bugle.example/{n}", raw_id=str(n)
                )
            ).text
        )
    assert [footer in t for t in texts] == [True, True, False, False]
    assert all("Councillors debated" in t for t in texts)
    other = cleaner.clean(
        raw(
            f"{texts[0].split(chr(10))[0].replace('bridge toll', 'lido')}\n{footer}",
            content_type="text/plain",
            url="https://elsewhere.example/1",
        )
    )
    assert footer in other.text  # learnt per host, not globally
