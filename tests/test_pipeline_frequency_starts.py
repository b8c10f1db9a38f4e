"""The quantity recognizer tries a frequency at "a", "an", "in", "into" only before a count:
the starts it leaves out would have found nothing."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditor.pipeline import quantities

FREQUENCY_WORDS = ["a", "an", "in", "into", "half", "quarter", "a", "two", "2", "3", "twice", "once", "divided",
                   "doses", "dose", "times", "day", "daily", "every", "8", "hours", "at", "bedtime", "night", "or",
                   "to", "mg", "0.5", "split", "equal", "tablet", "per", "week", "days", ","]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FREQUENCY_WORDS), min_size=1, max_size=25))
@example(["take", "it", "in", "two", "divided", "doses"])
@example(["split", "into", "3", "equal", "doses"])
@example(["a", "half", "tablet", "twice", "a", "day"])
@example(["in", "a", "half", "dose", ",", "an", "8", "hours"])
@example(["every", "8", "hours", "or", "twice", "daily", "in", "2", "doses"])
def test_frequency_starts_skipped_find_nothing(nlp, words):
    """The "a", "an", "in", "into" left out of the frequency starts would have started nothing."""
    def found(doc):
        recognizer = nlp.get_pipe("quantity_recognizer")
        phrases = recognizer._phrases(doc)
        freqs, intervals, taken = recognizer._frequencies(doc, phrases)
        return [(f.start, f.end, f.value, f.kind) for f in freqs], [(v.start, v.end, v.value) for v in intervals], taken

    doc = nlp.make_doc(" ".join(words))
    kept = found(doc)
    original = quantities._count_may_follow
    quantities._count_may_follow = lambda table, i: True
    try:
        every = found(nlp.make_doc(" ".join(words)))
    finally:
        quantities._count_may_follow = original
    assert kept == every
