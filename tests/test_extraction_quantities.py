"""Quantities, ranges, bounds, units and frequencies as the pipeline reads them."""

from __future__ import annotations

import pytest
from helpers import claims_of, one_claim


@pytest.mark.parametrize(
    ("sentence", "low", "high", "unit"),
    [
        ("Clonazepam is usually taken at 0.5 mg.", 0.5, 0.5, "mg"),
        ("Some adults take .5 mg of clonazepam.", 0.5, 0.5, "mg"),
        ("Most people take 1mg of clonazepam.", 1, 1, "mg"),
        ("The usual range is 0.25-2.0 mg of clonazepam.", 0.25, 2.0, "mg"),
        ("The usual range is 8–12 mg of diazepam.", 8, 12, "mg"),
        ("Clonazepam doses range from 0.5 mg to 4 mg.", 0.5, 4, "mg"),
        ("Some people need 2 to 3 mg of clonazepam.", 2, 3, "mg"),
        ("Take 2 or 3 mg of diazepam as directed.", 2, 3, "mg"),
        ("Children may be given half a milligram of clonazepam.", 0.5, 0.5, "mg"),
        ("The patch delivers 25 mcg of clonazepam.", 25, 25, "mcg"),
        ("The dose is 10 µg of clonazepam.", 10, 10, "mcg"),
        ("Gabapentin is dosed at 10 mg/kg/day in children.", 10, 10, "mg/kg"),
        ("Many doses fall between 2 and 4 mg of lorazepam.", 2, 4, "mg"),
    ],
)
def test_dose_values(nlp, sentence, low, high, unit):
    claim = one_claim(nlp, sentence)
    assert (claim.value.low, claim.value.high, claim.unit) == (low, high, unit)


@pytest.mark.parametrize(
    ("sentence", "low", "high"),
    [
        ("Adults can take up to 4 mg of clonazepam a day.", 4, 4),  # a maximum is the limit itself
        ("Some people do well on 0.5 mg of clonazepam or less.", None, 0.5),
        ("Doses above 4 mg of clonazepam are rarely used.", 4, None),
        ("People taking more than 20 mg of diazepam need monitoring.", 20, None),
        ("Patients should take at least 300 mg of gabapentin.", 300, None),
    ],
)
def test_open_bounds(nlp, sentence, low, high):
    claim = one_claim(nlp, sentence)
    assert (claim.value.low, claim.value.high) == (low, high)


@pytest.mark.parametrize(
    ("sentence", "per", "frequency", "daily"),
    [
        ("Take 0.5 mg of clonazepam twice daily.", "dose", (2, 2), (1, 1)),
        ("Take 0.25 mg of clonazepam three times a day.", "dose", (3, 3), (0.75, 0.75)),
        ("The dose is 1 mg of lorazepam bid.", "dose", (2, 2), (2, 2)),
        ("Take 2 mg of lorazepam every 8 hours.", "dose", (3, 3), (6, 6)),
        ("Take 1 mg of clonazepam once or twice daily.", "dose", (1, 2), (1, 2)),
        ("Take 0.5 mg of clonazepam at bedtime.", "dose", (1, 1), (0.5, 0.5)),
        ("Adults take 4 mg of clonazepam per day.", "day", None, (4, 4)),
        ("Adults take 4 mg/day of clonazepam.", "day", None, (4, 4)),
        ("Do not take more than 4 mg of clonazepam in 24 hours.", "day", None, (4, 4)),
        ("The total is 1.5 mg a day of clonazepam, in three divided doses.", "day", (3, 3), (1.5, 1.5)),
    ],
)
def test_per_frequency_and_daily_total(nlp, sentence, per, frequency, daily):
    claim = one_claim(nlp, sentence)
    assert claim.per == per
    freq = None if claim.frequency is None else (claim.frequency.low, claim.frequency.high)
    assert freq == frequency
    assert (claim.daily.low, claim.daily.high) == daily


@pytest.mark.parametrize(
    ("sentence", "low", "high"),
    [
        ("You can take clonazepam two to three times per day.", 2, 3),
        ("Most people take it once daily.", 1, 1),
        ("It is usually given twice a day.", 2, 2),
        ("Some take it 3 times a day.", 3, 3),
    ],
)
def test_frequency_claims(nlp, sentence, low, high):
    claim = one_claim(nlp, sentence)
    assert claim.attribute == "frequency"
    assert claim.unit == "per_day"
    assert (claim.value.low, claim.value.high) == (low, high)


@pytest.mark.parametrize(
    "sentence",
    [
        "In 2019, the label for clonazepam was updated.",
        "Call 988 if you are in crisis.",
        "Call 1-800-555-0142 for refills of clonazepam.",
        "A 30-day supply of clonazepam costs $15.",
        "Adults over 65 years of age should be careful with clonazepam.",
        "Read more at https://example.org/clonazepam-2mg-guide.",
        "See section 2.1 of the clonazepam label.",
        "A cup of coffee has about 95 mg of caffeine, so limit it while taking clonazepam.",
        "Adults should keep to 2,300 mg of sodium a day while on lorazepam.",
        "Our telehealth service is 100% confidential.",
        "Save 20% on your first visit.",
        "In the past 12 months, the clinic opened two offices.",
        "This article takes 5 min to read.",
    ],
)
def test_not_claims(nlp, sentence):
    assert claims_of(nlp, sentence) == []


def test_alternatives_and_changes_are_separate_doses(nlp):
    found = claims_of(nlp, "Zolpidem is prescribed at either 5 or 10 mg.")
    assert [(c.value.low, c.unit) for c in found] == [(5, "mg"), (10, "mg")]
    found = claims_of(nlp, "The FDA lowered the zolpidem dose for women from 10 mg to 5 mg.")
    assert [c.value.low for c in found] == [10, 5]
    found = claims_of(nlp, "There is a big difference between 0.25 mg and 1 mg of clonazepam.")
    assert [c.value.low for c in found] == [0.25, 1]


def test_range_across_units_takes_the_second_unit(nlp):
    claim = one_claim(nlp, "Diazepam peaks anywhere from 15 minutes to 2.5 hours after a dose.")
    assert claim.attribute == "peak"
    assert (claim.value.low, claim.value.high, claim.unit) == (0.25, 2.5, "hour")


def test_side_effect_lists_are_incidence_claims(nlp):
    found = claims_of(nlp, "The most common side effects of gabapentin were somnolence 19%, dizziness 17% and ataxia 13%.")
    assert [(c.value.low, c.attribute) for c in found] == [(19, "incidence"), (17, "incidence"), (13, "incidence")]


def test_share_of_people_is_a_percentage(nlp):
    claim = one_claim(nlp, "About 1 in 4 people taking sertraline report nausea.")
    assert claim.unit == "percent"
    assert claim.value.low == 25
    assert claim.attribute == "incidence"


@pytest.mark.parametrize(
    ("sentence", "low", "high", "quote"),
    [
        ("More than 1 in 10 people taking sertraline get headaches.", 10, None, "More than 1 in 10"),
        ("Fewer than 1 in 1,000 people taking sertraline have a rash.", None, 0.1, "Fewer than 1 in 1,000"),
        ("Up to 1 in 100 people taking sertraline report nausea.", None, 1, "Up to 1 in 100"),
    ],
)
def test_bounded_share_of_people(nlp, sentence, low, high, quote):
    claim = one_claim(nlp, sentence)
    assert (claim.value.low, claim.value.high, claim.unit) == (low, high, "percent")
    assert sentence[claim.start:claim.end] == quote


@pytest.mark.parametrize(
    ("sentence", "low", "high"),
    [
        ("Take it up to 3 times a day.", None, 3),
        ("You can take it no more than twice a day.", None, 2),
        ("I went onto it 3-times daily.", 3, 3),
        ("Now it is 3x's/day.", 3, 3),
        ("I TAKE IT 3X A DAY.", 3, 3),
        ("I take it three times day.", 3, 3),
        ("I dropped down to 1 time per day.", 1, 1),
        ("I take it up to twice during the day.", None, 2),
    ],
)
def test_frequency_written_loosely_or_bounded(nlp, sentence, low, high):
    claim = one_claim(nlp, sentence)
    assert claim.attribute == "frequency"
    assert (claim.value.low, claim.value.high) == (low, high)


@pytest.mark.parametrize(
    ("sentence", "value", "per", "frequency"),
    [
        ("Take half a 10 mg tablet of zolpidem.", 5, "dose", None),
        ("I take about 3/4 of a 10mg tablet of zolpidem.", 7.5, "dose", None),
        ("I cut it to 1/4 a pill of a .25mg pill of Xanax.", 0.0625, "dose", None),
        ("I took just a quarter of a 10 mg tablet of Lexapro.", 2.5, "dose", None),
        ("Three 600 mg. tabs of Neurontin in the a.m.", 1800, "dose", None),
        ("I take 2 x 0.5mg tablets of Xanax at night.", 1, "dose", (1, 1)),
        # a count of tablets a day is how often one is taken
        ("The treatment was to take three 1 mg tablet of Xanax a day.", 1, "dose", (3, 3)),
        ("I take one 10 mg tablet of Lexapro a day.", 10, "day", (1, 1)),
    ],
)
def test_share_or_count_of_tablets_of_a_strength(nlp, sentence, value, per, frequency):
    claim = one_claim(nlp, sentence)
    assert (claim.value.low, claim.value.high, claim.per) == (value, value, per)
    assert (None if claim.frequency is None else (claim.frequency.low, claim.frequency.high)) == frequency


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("I TAKE 1MG OF XANAX.", 1, "mg"),
        ("I take 20/mg of Lexapro.", 20, "mg"),
        ("I take 50 mgs of Zoloft.", 50, "mg"),
        ("I take 1,200 mg of Neurontin.", 1200, "mg"),
        ("I take three hundred mg of Neurontin.", 300, "mg"),
        ("I usually took 150 mg. of trazodone.", 150, "mg"),
        ("I have been on Xanax for 2yrs.", 2, "year"),
        ("I have been taking Ativan for 34years.", 34, "year"),
    ],
)
def test_patient_spellings_of_amounts(nlp, sentence, value, unit):
    claim = one_claim(nlp, sentence)
    assert (claim.value.low, claim.unit) == (value, unit)


@pytest.mark.parametrize(
    ("sentence", "low", "high", "unit", "per"),
    [
        ("Children take diazepam at 250 micrograms for each kilogram of body weight.", 0.25, 0.25, "mg/kg", "dose"),
        ("The starting dose of gabapentin is 10mg to 15mg for each kilogram of body weight a day.", 10, 15,
         "mg/kg", "day"),
        ("The usual dose of gabapentin is 25mg to 35mg per kilogram a day.", 25, 35, "mg/kg", "day"),
        ("The recommended dose of diazepam rectal gel is 0.2-0.5 mg/kg.", 0.2, 0.5, "mg/kg", "dose"),
        ("Many people take sertraline for 6 months to a year.", 0.5, 1, "year", None),
        ("Before Lexapro I took Prozac for a year.", 1, 1, "year", None),
        ("I fall asleep within an hour and a half of taking zolpidem.", None, 1.5, "hour", None),
    ],
)
def test_amounts_by_weight_and_spans_written_in_words(nlp, sentence, low, high, unit, per):
    claim = one_claim(nlp, sentence)
    assert (claim.value.low, claim.value.high, claim.unit, claim.per) == (low, high, unit, per)


def test_a_list_of_strengths_shares_the_unit_after_the_last(nlp):
    found = claims_of(nlp, "Diazepam rectal gel is provided as unit doses of 2.5, 5, 7.5, and 10 mg.")
    assert [(c.value.low, c.unit, c.per) for c in found] == [(2.5, "mg", "dose"), (5, "mg", "dose"),
                                                            (7.5, "mg", "dose"), (10, "mg", "dose")]


@pytest.mark.parametrize(
    "sentence",
    [
        "Patients with an increase of 50 mg/dl in total cholesterol on desvenlafaxine were few.",
        "In the trial of diazepam, Placebo N = 104 % of the enrolled group.",
    ],
)
def test_concentrations_and_counts_are_not_claims(nlp, sentence):
    assert claims_of(nlp, sentence) == []


def test_every_other_day_is_half_a_dose_a_day(nlp):
    claim = one_claim(nlp, "In renal impairment the dose of desvenlafaxine is 50 mg every other day.")
    assert (claim.frequency.low, claim.per) == (0.5, "dose")


@pytest.mark.parametrize(
    ("sentence", "values"),
    [
        ("I was given 15, then 20 mg of Lexapro.", [15, 20]),
        ("My doctor increased my gabapentin from 300mg per day up to 2400 over two months.", [300, 2400]),
        ("She originally prescribed 25 mg of trazodone, and said to go up if 25 was ineffective.", [25, 25]),
        # numbers that measure something else keep no unit
        ("I take 20 mg of Lexapro and rate it 10/10.", [20]),
        ("I take 20 mg of Lexapro, I am 45 and have 2 kids.", [20]),
    ],
)
def test_a_bare_number_takes_the_unit_of_the_dose_beside_it(nlp, sentence, values):
    assert [c.value.low for c in claims_of(nlp, sentence) if c.unit == "mg"] == values
