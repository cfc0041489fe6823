"""The per-document budget: fixed element/line limits bound the work on any page, so one
page cannot stall a partition. Assertions are on outcomes and on the limits, never on time."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.cleaner import Cleaner, Unusable, core, html, text
from tests.unit.cleaner.conftest import raw

SENTENCE = "The harbour council met on Monday and voted to repair the northern pier at last."
STORY = "".join(f"<p>{SENTENCE} Paragraph {i} adds its own detail here.</p>" for i in range(6))


def _outcome(body: str, content_type: str = "text/html") -> str:
    try:
        Cleaner().clean(raw(body, content_type=content_type))
    except Unusable as exc:
        return exc.reason
    return "ok"


def test_200k_sibling_elements_are_refused_as_too_large() -> None:
    body = "<html><body>" + "<p>word word word.</p>" * 200_000 + "</body></html>"
    assert _outcome(body) == "too_large"


def test_200k_inline_elements_in_one_paragraph_are_refused() -> None:
    body = "<html><body><p>" + "<span>a</span>" * 200_000 + "</p></body></html>"
    assert _outcome(body) == "too_large"


def test_200k_nested_elements_return_without_recursion_errors() -> None:
    body = "<html><body>" + "<div>" * 200_000 + SENTENCE + "</div>" * 200_000 + "</body></html>"
    assert _outcome(body) in {"ok", "no_body", "too_large"}


def test_a_page_over_the_extraction_limit_is_cut_in_document_order() -> None:
    filler = "".join(f"<p>{SENTENCE} Filler {i}.</p>" for i in range(html.EXTRACT_MAX_NODES + 500))
    last = f"<p>LAST MARKER {SENTENCE}</p>"
    body = f"<html><body><article>{STORY}{filler}{last}</article></body></html>"
    tree = html.parse(body)
    assert tree is not None
    bounds = html.bound(tree)
    assert bounds.truncated and bounds.nodes <= html.EXTRACT_MAX_NODES
    assert "LAST MARKER" not in tree.text_content()
    assert "Paragraph 0" in tree.text_content()


def test_deep_nesting_is_flattened_and_keeps_its_text() -> None:
    depth = 200  # under libxml2's own parser limit, over ours
    body = (
        "<html><body>"
        + "<div>" * depth
        + f"<p>{SENTENCE}</p>"
        + "</div>" * depth
        + "</body></html>"
    )
    tree = html.parse(body)
    assert tree is not None and html.tree_depth(tree) > html.MAX_DEPTH
    bounds = html.bound(tree)
    assert bounds.truncated and html.tree_depth(tree) <= html.MAX_DEPTH
    assert SENTENCE in tree.text_content()


def test_a_page_that_is_mostly_scripts_yields_its_story() -> None:
    scripts = "<script>var tracking = {a: 1, b: [2, 3]};</script>" * 40_000
    body = f"<html><head>{scripts}</head><body><article>{STORY}</article>{scripts}</body></html>"
    article = Cleaner().clean(raw(body))
    assert article.text.startswith(SENTENCE) and "tracking" not in article.text


def test_a_text_dump_is_read_up_to_its_line_budget() -> None:
    lines = [f"{SENTENCE} Line {i}." for i in range(text.MAX_LINES + 100)] + ["LAST MARKER line."]
    article = Cleaner().clean(raw("\n".join(lines), content_type="text/plain"))
    assert article.text.count("\n") < text.MAX_LINES and "LAST MARKER" not in article.text


def test_many_section_headings_do_not_make_the_filter_quadratic() -> None:
    body = f"<html><body><article>{STORY}" + "<p>Comments</p>" * 9000 + "</article></body></html>"
    assert _outcome(body) == "ok"


def test_no_fallback_pass_on_pages_over_its_node_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    real = html.extract

    def spy(tree, url, *, fast=True):  # type: ignore[no-untyped-def]
        calls.append(fast)
        return [] if fast else real(tree, url, fast=fast)  # the first pass finds nothing

    monkeypatch.setattr(core.html, "extract", spy)
    big = f"<html><body><article>{STORY}</article>" + "<div>x</div>" * html.FALLBACK_MAX_NODES
    _outcome(big + "</body></html>")
    assert calls == [True]  # no second pass over a page past the fallback's node limit
    calls.clear()
    _outcome(f"<html><body><article>{STORY}</article></body></html>")
    assert calls == [True, False]


# Property: any DOM shape (wide, deep, mixed), scaled down by shrinking the limits, ends in an
# article or an Unusable, with the tree the extractor sees inside the limits.
SHAPE = st.lists(
    st.tuples(
        st.sampled_from(["div", "p", "span", "section", "a", "li", "script"]),
        st.integers(1, 40),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


def _markup(shape: list[tuple[str, int, bool]]) -> str:
    out = []
    for tag, count, nested in shape:
        piece = f"<{tag}>{SENTENCE}</{tag}>"
        out.append(f"<{tag}>" * count + SENTENCE + f"</{tag}>" * count if nested else piece * count)
    return "<html><body>" + "".join(out) * 3 + "</body></html>"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPE, st.integers(20, 400), st.integers(5, 40))
def test_any_dom_shape_is_held_to_the_limits(
    shape: list[tuple[str, int, bool]], cap: int, max_depth: int
) -> None:
    tree = html.parse(_markup(shape))
    assume_tree = tree is not None
    if not assume_tree:
        return
    html.strip_inert(tree)
    try:
        bounds = html.bound(tree, max_nodes=cap * 4, extract_max_nodes=cap, max_depth=max_depth)
    except Unusable as exc:
        assert exc.reason == "too_large"
        assert html.count_nodes(tree, cap * 4) > cap * 4
        return
    assert bounds.nodes <= cap and html.tree_depth(tree) <= max_depth
    assert html.count_nodes(tree, 10**6) == bounds.nodes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SHAPE)
def test_any_dom_shape_is_cleaned_or_unusable_under_small_limits(
    shape: list[tuple[str, int, bool]],
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(html, "MAX_NODES", 300)
        mp.setattr(html, "EXTRACT_MAX_NODES", 60)
        mp.setattr(html, "MAX_DEPTH", 10)
        mp.setattr(
            html.bound,
            "__kwdefaults__",
            {"max_nodes": 300, "extract_max_nodes": 60, "max_depth": 10},
        )
        assert _outcome(_markup(shape)) in {"ok", "no_body", "too_large", "duplicate"}
