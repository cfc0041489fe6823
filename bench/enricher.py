"""Enricher throughput on one core: ``python -m bench.enricher [--docs N] [--seed S]``.

Builds typical-length (600-1,000 words) synthetic news articles from this module's own
templates and vocabulary (no third-party text): mostly background prose, with a realistic
sprinkling of military sentences (deployments, transfers, strikes, casualties, talks).
Measures steady-state articles/s after a warm-up; the last line is
``enricher articles_per_s=<x> words_per_s=<y>``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from services.enricher import Enricher
from shared.records import CleanArticle

COUNTRIES = ["Russia", "Ukraine", "North Korea", "South Korea", "the United States", "China",
             "Iran", "Israel", "Poland", "Germany", "France", "Belarus", "Japan", "Britain"]
DEMONYMS = ["Russian", "Ukrainian", "North Korean", "American", "Chinese", "Iranian", "Polish"]
PEOPLE = ["Vladimir Putin", "Volodymyr Zelenskyy", "Kim Jong Un", "Sergey Lavrov", "Xi Jinping",
          "Emmanuel Macron", "Donald Trump", "Sergei Shoigu"]
PLACES = ["Kursk", "Kharkiv", "Odesa", "Belgorod", "Pokrovsk", "Seoul", "Minsk", "Warsaw"]
OUTLETS = ["Reuters", "CNN", "the BBC", "Bloomberg", "The Japan Times", "Yonhap"]
UNITS = ["troops", "soldiers", "artillery shells", "drones", "missiles", "tanks", "reservists"]
MILITARY = [
    "{c1} has sent about {n} {u} to {c2}, {o} reported on {d}, citing {dm} officials.",
    "{dm} drones struck a fuel depot near {p} overnight, the regional governor said.",
    "{p1} met {p2} in {p} on {d} to discuss the war and military cooperation.",
    "At least {n} people were killed when {dm} missiles hit a residential area of {p}.",
    "{c1} is planning to deploy between {n} and {m} {u} to {c2} by the end of the year.",
    "{c1} ordered the call-up of {m} reservists, according to {o}.",
    "{p1} pledged to support {c2} for as long as it takes, {o} said.",
    "{c1} denied that it had supplied {u} to {c2}, calling the report false.",
]
FILLER = [
    "Officials in {p} said the talks on trade and energy prices would continue next month.",
    "The central bank kept interest rates unchanged, citing slowing growth and inflation.",
    "Local residents described long queues at petrol stations and rising food prices.",
    "Analysts said the decision reflected domestic political pressures ahead of elections.",
    "The ministry published new figures on exports, which rose for the third quarter running.",
    "Schools in the region reopened after the summer holidays with new safety rules.",
    "A spokesperson for {o} declined to comment on the details of the arrangement.",
    "The committee will publish its recommendations in a report later this year.",
    "Farmers warned that the harvest could be smaller because of the dry weather.",
    "The opposition criticised the plan, saying it had been rushed through parliament.",
    "Economists expect the currency to remain under pressure for several months.",
    "Engineers began repairs on the bridge, which had been closed since the spring.",
    "The agreement still needs to be approved by lawmakers in {c1} and {c2}.",
    "Observers noted that the statement used unusually cautious language.",
]
DAYS = ["Monday", "Tuesday", "Sunday", "July 2", "June 14", "March 3"]


def _fill(rng: random.Random, template: str) -> str:
    c1, c2 = rng.sample(COUNTRIES, 2)
    p1, p2 = rng.sample(PEOPLE, 2)
    n = rng.choice([120, 1500, 3000, 11000, 25000])
    return template.format(
        c1=c1[0].upper() + c1[1:], c2=c2, p1=p1, p2=p2, p=rng.choice(PLACES),
        o=rng.choice(OUTLETS), d=rng.choice(DAYS), dm=rng.choice(DEMONYMS),
        u=rng.choice(UNITS), n=f"{n:,}", m=f"{n * 2:,}")


def make_article(rng: random.Random, i: int) -> CleanArticle:
    target = rng.randint(600, 1000)
    paragraphs: list[str] = []
    words = 0
    while words < target:
        para = " ".join(
            _fill(rng, rng.choice(MILITARY if rng.random() < 0.15 else FILLER))
            for _ in range(rng.randint(2, 4)))
        paragraphs.append(para)
        words += len(para.split())
    text = "\n".join(paragraphs)
    return CleanArticle(id=f"bench-{i}", url=f"https://example.test/{i}", source="bench",
                        title=f"Synthetic article {i}", text=text, word_count=words)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    articles = [make_article(rng, i) for i in range(args.docs)]
    words = sum(a.word_count for a in articles)
    enricher = Enricher()
    for a in articles[:50]:  # warm-up
        enricher.enrich(a)
    start = time.process_time()
    events = sum(len(enricher.enrich(a).events) for a in articles)
    elapsed = time.process_time() - start
    print(f"docs={len(articles)} words={words} mean_words={words / len(articles):.0f} "
          f"events={events} cpu_s={elapsed:.2f}")
    print(f"enricher articles_per_s={len(articles) / elapsed:.1f} "
          f"words_per_s={words / elapsed:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
