"""The pipeline reads any text without failing, and every claim it makes is well formed."""

from __future__ import annotations

from helpers import claims_of
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.claims import ATTRIBUTES, UNITS

TOKENS = [
    "0.5", ".25", "1", "2-3", "8–12", "1,000", "½", "half", "a", "an", "one", "two", "twice", "once", "three",
    "mg", "mcg", "µg", "g", "mg/kg/day", "mg/day", "%", "percent", "hours", "hour", "minutes", "days", "weeks",
    "months", "years", "daily", "a day", "per day", "bid", "tid", "q8h", "every", "at bedtime", "times",
    "up to", "no more than", "at least", "or less", "or more", "above", "within", "between", "and", "or", "to",
    "from", "by", "of", "for", "if", "not", "may", "might", "never", "exceed", "maximum", "starting", "target",
    "increase", "half-life", "peak", "lasts", "according to", "[1]", "¹", "clonazepam", "Klonopin", "Xanax",
    "benzodiazepines", "panic disorder", "children", "older adults", "people", "experience", "relieves",
    ".", ",", ";", ":", "—", "(", ")", "|", "\n", "\n\n", "$", "988", "2024", "http://x.org/1mg",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join))
def test_any_text_gives_well_formed_claims(nlp, text):
    for claim in claims_of(nlp, text):
        assert claim.attribute in ATTRIBUTES
        assert claim.unit in UNITS
        assert claim.per in (None, "dose", "day")
        low, high = claim.value.low, claim.value.high
        assert low is not None or high is not None
        if low is not None and high is not None:
            assert low <= high
        loc = claim.location
        assert text.splitlines()[loc["line"] - 1][loc["column"] - 1:] .startswith(loc["quote"].split("\n")[0])
