"""Post-filters over paragraphs, one boilerplate kind at a time."""

from __future__ import annotations

import pytest

from services.cleaner import lines
from services.cleaner.filters import filter_paragraphs

STORY = [
    "The regional council approved a plan on Monday to rebuild the flooded river embankment.",
    "Work is due to start in spring and should take about eighteen months, officials said.",
    "Residents who were evacuated last year will be consulted before the final design is chosen.",
]


@pytest.mark.parametrize(
    "junk",
    [
        "Share",
        "Tweet",
        "Share on Facebook",
        "Email",
        "Print Article",
        "Order Reprints",
        "Advertisement",
        "Story continues below advertisement",
        "Continue reading",
        "Photo: Jane Roe",
        "Image source: Agency photo desk",
        "The bridge at dusk. (Photo: Jane Roe/Reuters)",
        "Sign up for our daily newsletter",
        "Get the latest headlines delivered to your inbox daily.",
        "Enter your email address",
        "Read more: Council votes on new parking rules",
        "READ MORE: Flood defences explained",
        "Related: Five things to know about the embankment",
        "Copyright © 2024 Example Media. All rights reserved.",
        "Write to Sam Doe at sam.doe@example.com",
        "Follow us on Twitter",
        "Follow Example News on Instagram, Facebook and YouTube.",
        "Download the app",
        "app-storeplay-store",
        "logo",
        "Orange background",
        "Try Our AI Features",
        "Explore what Example AI can do for you:",
        "Comments",
        "No comments yet...",
        "Leave a comment",
        "Updated at 1:23 p.m.",
        "River levels hit record [VIDEO]",
        "Tags:",
        "Click here to read the full report",
    ],
)
def test_junk_lines(junk: str) -> None:
    assert lines.is_junk(junk)


@pytest.mark.parametrize(
    "prose",
    [
        *STORY,
        "Share prices fell sharply after the announcement, traders said.",
        "Photographs taken by residents show the water reaching the first floor of several homes.",
        "Comments made by the minister on Friday angered many of the flood victims.",
    ],
)
def test_story_lines_are_not_junk(prose: str) -> None:
    assert not lines.is_junk(prose)


def test_related_heading_ends_a_text_dump() -> None:
    teaser = "Another story about an unrelated election that must never leak into this one."
    kept = filter_paragraphs([*STORY, "Related Articles", teaser, teaser], dump=True)
    assert kept.paragraphs == STORY


def test_related_heading_in_html_only_cuts_a_short_tail() -> None:
    teasers = ["Storm closes the coast road", "Fleet returns early"]
    kept = filter_paragraphs([*STORY, "You may also like", *teasers])
    assert kept.paragraphs == STORY


def test_teaser_block_mid_story_is_skipped() -> None:
    teasers = ["Storm closes the coast road", "Fleet returns"]
    paragraphs = [STORY[0], "Don't miss", *teasers, *STORY[1:]]
    assert filter_paragraphs(paragraphs).paragraphs == STORY


def test_repeated_title_is_dropped() -> None:
    title = "Council approves embankment plan"
    kept = filter_paragraphs([title, *STORY, title], title)
    assert kept.paragraphs == STORY


def test_title_with_site_suffix_is_dropped_before_the_story() -> None:
    kept = filter_paragraphs(
        ["Council approves embankment plan", *STORY],
        other_titles=("Council approves embankment plan | Example News",),
    )
    assert kept.paragraphs == STORY


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Read the original article on Business Insider", "Business Insider"),
        ("This article originally appeared on The Conversation.", "Conversation"),
        ("Originally published by Example Wire", "Example Wire"),
    ],
)
def test_original_publisher_is_recorded_and_dropped(line: str, name: str) -> None:
    kept = filter_paragraphs([*STORY, line])
    assert kept.original_publisher == name
    assert kept.paragraphs == STORY


def test_dump_trims_non_prose_edges() -> None:
    kept = filter_paragraphs(["Menu bar label", *STORY, "Something else here"], dump=True)
    assert kept.paragraphs == STORY


def test_hover_cards_and_hidden_inline_elements_leave_the_sentence_whole() -> None:
    from services.cleaner import Cleaner
    from tests.unit.cleaner.conftest import raw

    card = (
        '<span class="person-tooltip"><a href="/p/ann">Ann Lee</a>'
        '<span class="tooltip-card"><img src="a.jpg"><a href="/s/1">Latest: other story</a>'
        '<a href="/s/2">Another headline</a></span></span>'
    )
    sentence = (
        f"<p>The mayor met {card} on Monday to discuss the ferry timetable and the new "
        "pier, which opens next spring after two years of building work."
        '<span style="display: none">hidden promo text</span></p>'
    )
    body = f"<html><body><article>{sentence * 3}</article></body></html>"
    text = Cleaner().clean(raw(body)).text
    assert "The mayor met Ann Lee on Monday" in text
    assert "other story" not in text and "hidden promo" not in text
