"""fit_text: the last-resort shortening at a sentence or word boundary, keeping the link."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from uniseg.graphemecluster import grapheme_cluster_boundaries, grapheme_clusters

from outagecomms.counting import (
    ELLIPSIS,
    GSM7_ELLIPSIS,
    fit_text,
    measure,
    measure_for_channel,
    url_spans,
)
from outagecomms.models import Channel, ChannelKind

STATUS = "https://status.example.com/incidents/42"


def channel(kind: ChannelKind = ChannelKind.DISCORD, **fields: Any) -> Channel:
    return Channel(name="test", kind=kind, url="json://localhost", **fields)


# ------------------------------------------------------------------ examples


def test_text_that_fits_comes_back_unchanged() -> None:
    text = "Payments are failing. We are on it."
    assert fit_text(text, channel(limit=len(text)), keep=None) == text


def test_cuts_at_the_end_of_a_sentence() -> None:
    text = "Payments are failing for some customers. We are investigating the cause now."
    assert fit_text(text, channel(limit=60)) == "Payments are failing for some customers. …"


def test_cuts_at_a_word_when_the_sentence_would_keep_less_than_half() -> None:
    text = "Down. Payments are failing for some customers and we are investigating."
    assert fit_text(text, channel(limit=30)) == "Down. Payments are failing…"


def test_word_cut_drops_a_trailing_comma() -> None:
    text = "Payments are failing, and we are investigating"
    assert fit_text(text, channel(limit=22)) == "Payments are failing…"


def test_never_cuts_inside_a_url() -> None:
    text = "Read https://example.com/a/very/long/path/to/the/incident/page for details."
    assert fit_text(text, channel(limit=40)) == "Read…"


def test_appends_the_status_url_when_it_was_cut_off() -> None:
    text = f"Payments are failing for some customers and we are investigating. See {STATUS}"
    result = fit_text(text, channel(limit=92), keep=STATUS)
    assert result == f"Payments are failing for some customers and we are… {STATUS}"


def test_does_not_add_a_status_url_that_was_not_in_the_text() -> None:
    text = "Payments are failing for some customers and we are investigating."
    assert STATUS not in fit_text(text, channel(limit=40), keep=STATUS)


def test_does_not_repeat_a_status_url_the_cut_text_still_has() -> None:
    text = f"See {STATUS} for details. Payments are failing and we are investigating."
    result = fit_text(text, channel(limit=70), keep=STATUS)
    assert result == f"See {STATUS} for details. …"


def test_x_counts_the_kept_url_as_23() -> None:
    text = "Payments are failing for some customers. " * 8 + STATUS
    result = fit_text(text, channel(ChannelKind.X), keep=STATUS)
    # 6 sentences (246) + "…" (weighs 2) + " " + the URL as 23 = 272; as 39 it would not fit.
    assert result == "Payments are failing for some customers. " * 6 + f"… {STATUS}"
    assert measure(result, ChannelKind.X).length == 272


def test_drops_the_status_url_only_when_it_alone_cannot_fit() -> None:
    text = f"Payments are failing. We are investigating. {STATUS}"
    assert fit_text(text, channel(limit=25), keep=STATUS) == "Payments are failing. …"


def test_one_word_too_long_to_fit_leaves_only_the_ellipsis() -> None:
    assert fit_text("Zahlungsverkehrsstörungsbenachrichtigung", channel(limit=10)) == ELLIPSIS


def test_never_ends_on_a_character_that_joins_the_next() -> None:
    # U+0600 (Arabic number sign) is a Prepend character: it forms one grapheme cluster with
    # whatever follows, so "abcd \u0600" + "…" would glue the ellipsis to it.
    assert fit_text("abcd \u0600 " + "x" * 50, channel(limit=8)) == "abcd…"


def test_gsm_sms_is_cut_with_three_dots_to_stay_gsm7() -> None:
    text = "Payments are failing for some customers. We are investigating. " * 4
    result = fit_text(text, channel(ChannelKind.SMS, max_segments=1))
    assert result == "Payments are failing for some customers. We are investigating. " * 2 + "..."
    assert measure(result, ChannelKind.SMS).unit == "gsm7"


def test_sms_fits_in_the_allowed_segments() -> None:
    text = "Платежі не проходять. " * 10
    result = fit_text(text, channel(ChannelKind.SMS, max_segments=1))
    assert measure(result, ChannelKind.SMS, max_segments=1).segments == 1
    assert result.endswith(f"проходять. {ELLIPSIS}")


def test_bluesky_counts_graphemes_when_cutting() -> None:
    text = "👨‍👩‍👧‍👦 " * 400
    result = fit_text(text, channel(ChannelKind.BLUESKY))
    assert measure(result, ChannelKind.BLUESKY).length == 300


# ------------------------------------------------------------------ properties

TOKENS = [
    "Payments",
    "are",
    "failing.",
    "investigating,",
    "👨‍👩‍👧",
    "🇱🇻",
    "Cafe\u0301",
    "क्षि",
    "\u0600١",
    "١\u0600",
    "پرداخت‌ها",
    "Платежі",
    "日本語",
    "€{}",
    "status.example.com",
    "http://example.com/a-b",
    "https://example.org/x?y=1",
]
SEPARATORS = [" ", " ", " ", "\n", ". ", ", "]

words = st.one_of(st.sampled_from(TOKENS), st.text(min_size=1, max_size=8))
sentences = st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), max_size=60).map(
    lambda pairs: "".join(word + separator for word, separator in pairs).strip()
)
# Without sentence ends every cut is at a word, so the tricky tokens end a cut more often.
run_ons = st.lists(st.sampled_from(TOKENS), max_size=60).map(" ".join)
texts = st.one_of(sentences, run_ons)
channels = st.builds(
    lambda kind, limit, segments: channel(
        kind, limit=limit, max_segments=segments if kind is ChannelKind.SMS else None
    ),
    st.sampled_from(list(ChannelKind)),
    st.one_of(st.none(), st.integers(min_value=5, max_value=150), st.integers(5, 60)),
    st.integers(min_value=1, max_value=3),
)


def _with_status(text: str, add: bool) -> str:
    return f"{text} {STATUS}" if add else text


def _body(result: str, keep: str) -> str:
    """The part of ``result`` taken from the original text: without " keep" and "…"."""
    result = result.removesuffix(f" {keep}")
    marker = GSM7_ELLIPSIS if result.endswith(GSM7_ELLIPSIS) else ELLIPSIS
    return result.removesuffix(marker).rstrip(" ")


def _assert_clean_cut(text: str, result: str, boundaries: set[int] | None = None) -> None:
    """``result`` is a prefix of ``text`` ending on a grapheme, word and URL boundary, and
    what follows it (the ellipsis, the status URL) does not merge into its last grapheme."""
    if boundaries is None:
        boundaries = set(grapheme_cluster_boundaries(text))
    body = _body(result, STATUS)
    end = len(body)
    assert text.startswith(body)
    assert end in boundaries
    assert list(grapheme_clusters(result))[: len(list(grapheme_clusters(body)))] == list(
        grapheme_clusters(body)
    )
    assert end == 0 or text[end].isspace() or text[end] in ",;:"
    assert not any(start < end < stop for start, stop in url_spans(text))


@settings(max_examples=300, deadline=None)
@given(texts, channels, st.booleans())
def test_result_always_fits(text: str, target: Channel, add_status: bool) -> None:
    text = _with_status(text, add_status)
    assert measure_for_channel(fit_text(text, target, keep=STATUS), target).fits


@settings(max_examples=300, deadline=None)
@given(texts, channels, st.booleans())
def test_result_never_splits_a_grapheme_word_or_url(
    text: str, target: Channel, add_status: bool
) -> None:
    text = _with_status(text, add_status)
    result = fit_text(text, target, keep=STATUS)
    if result == text:
        return
    _assert_clean_cut(text, result)


@settings(max_examples=300, deadline=None)
@given(texts, channels)
def test_result_keeps_the_status_url_when_it_can_fit(text: str, target: Channel) -> None:
    text = f"{text} {STATUS}"
    if not measure_for_channel(f"{ELLIPSIS} {STATUS}", target).fits:
        return
    assert STATUS in fit_text(text, target, keep=STATUS)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=2, max_size=8).map(" ".join))
def test_every_limit_cuts_cleanly(text: str) -> None:
    """Every possible cut of a text, one limit at a time (Discord counts code points)."""
    boundaries = set(grapheme_cluster_boundaries(text))
    for limit in range(1, len(text)):
        _assert_clean_cut(text, fit_text(text, channel(limit=limit)), boundaries)


def test_an_sms_with_room_for_the_link_alone_keeps_the_link() -> None:
    """Found by Hypothesis: "..." plus the link did not fit where "…" plus the link does."""
    target = channel(ChannelKind.SMS, limit=41, max_segments=1)
    assert fit_text(f"Payments {STATUS}", target, keep=STATUS) == f"{ELLIPSIS} {STATUS}"
