"""Attributes, drugs, indications, populations, negation, hypotheses and citations."""

from __future__ import annotations

import pytest
from helpers import claims_of, one_claim


@pytest.mark.parametrize(
    ("sentence", "attribute"),
    [
        ("Adults with panic disorder usually begin clonazepam at 0.25 mg twice a day.", "dose.start"),
        ("Starting dose: 0.25 mg of clonazepam.", "dose.start"),
        ("The maintenance dose of clonazepam is 1 mg a day.", "dose.target"),
        ("Clonazepam should not exceed 4 mg per day.", "dose.max"),
        ("Never take more than 4 mg of clonazepam in a day.", "dose.max"),
        ("The FDA's upper limit for clonazepam is 4 mg a day.", "dose.max"),
        ("Maximum dose: 20 mg of clonazepam a day.", "dose.max"),
        ("The dose of clonazepam may be increased by 0.125 to 0.25 mg every 3 days.", "dose.increment"),
        ("Doctors raise the clonazepam dose in increments of 0.5 mg.", "dose.increment"),
        ("Clonazepam is typically taken at 0.5 to 2 mg a day.", "dose.typical"),
        ("A 1 mg dose of clonazepam is considered moderate.", "dose.mention"),
        ("Clonazepam starts working within 30 to 60 minutes.", "onset"),
        ("One dose of clonazepam lasts 6 to 12 hours.", "duration.effect"),
        ("Clonazepam levels peak 1 to 4 hours after a dose.", "peak"),
        ("The half-life of clonazepam is 30 to 40 hours.", "half_life"),
        ("Clonazepam is usually prescribed for 2 to 4 weeks.", "treatment.duration"),
        ("In trials, 40% of patients taking clonazepam reported drowsiness.", "incidence"),
        ("Clonazepam relieved symptoms in 75% of patients with panic disorder.", "efficacy"),
    ],
)
def test_attribute(nlp, sentence, attribute):
    assert one_claim(nlp, sentence).attribute == attribute


def test_drug_from_brand_possessive_and_parenthesis(nlp):
    assert one_claim(nlp, "Klonopin's usual dose is 1 mg.").drug == "clonazepam"
    assert one_claim(nlp, "KLONOPIN (clonazepam) 0.5 mg tablets are common.").drug == "clonazepam"


def test_drug_named_earlier_in_the_paragraph_or_heading(nlp):
    text = "Lorazepam for anxiety\n\nIt is taken two or three times a day. Most adults take 2 to 6 mg a day."
    found = claims_of(nlp, text)
    assert {c.drug for c in found} == {"lorazepam"}


def test_claim_about_another_drug_or_class_belongs_to_it(nlp):
    text = ("Clonazepam is a benzodiazepine used for panic disorder. Clonazepam lasts 6 to 12 hours. "
            "Antidepressants take 4-6 weeks to work.")
    found = claims_of(nlp, text)
    assert [(c.drug, c.attribute) for c in found] == [("clonazepam", "duration.effect"),
                                                    ("antidepressants", "treatment.duration")]


@pytest.mark.parametrize(
    ("sentence", "indication", "population"),
    [
        ("For panic disorder, adults take up to 4 mg of clonazepam a day.", "panic disorder", "adult"),
        ("Children with seizures start clonazepam at 0.01 mg/kg/day.", "seizure disorder", "pediatric"),
        ("Older adults with insomnia should take no more than 5 mg of zolpidem.", "insomnia", "elderly"),
        ("Clonazepam is sometimes taken at 0.5 mg.", None, None),
    ],
)
def test_indication_and_population(nlp, sentence, indication, population):
    claim = one_claim(nlp, sentence)
    assert (claim.indication, claim.population) == (indication, population)


def test_indication_carries_from_a_list_introduction(nlp):
    text = ("Typical clonazepam dosing for panic disorder follows this pattern:\n"
            "Starting dose: 0.25 mg\nTarget dose: 1 mg daily")
    found = claims_of(nlp, text)
    assert [(c.attribute, c.indication) for c in found] == [("dose.start", "panic disorder"),
                                                           ("dose.target", "panic disorder")]


def test_negation_is_not_a_limit(nlp):
    assert one_claim(nlp, "The starting dose of clonazepam is not 2 mg.").negated is True
    limit = one_claim(nlp, "Do not exceed 4 mg of clonazepam a day.")
    assert (limit.negated, limit.attribute) == (False, "dose.max")


@pytest.mark.parametrize(
    ("sentence", "hypothetical"),
    [
        ("If your doctor raises the dose to 3 mg of clonazepam, it happens in small steps.", True),
        ("Some people might need 1 mg of clonazepam.", True),
        ("A higher dose could cause drowsiness at 2 mg of clonazepam.", True),
        ("Adults may take up to 4 mg of clonazepam a day.", False),  # a permission, not a hypothesis
        ("Most adults take 1 mg of clonazepam a day.", False),
    ],
)
def test_hypothetical(nlp, sentence, hypothetical):
    assert one_claim(nlp, sentence).hypothetical is hypothetical


@pytest.mark.parametrize(
    ("sentence", "cited"),
    [
        ("According to the FDA, 30% of patients experience ataxia on clonazepam.", True),
        ("Ataxia occurred in 30% of patients taking clonazepam [2].", True),
        ("Clonazepam studies show that 30% of people experience ataxia.", False),
        ("In trials of clonazepam, 30% of people experienced ataxia.12", True),
        ("In trials of clonazepam, 30% of people experienced ataxia¹.", True),
        ("Research indicates that 30% of people on clonazepam experience ataxia.", False),
    ],
)
def test_citation(nlp, sentence, cited):
    assert one_claim(nlp, sentence).cited is cited


def test_effect_of_incidence(nlp):
    claim = one_claim(nlp, "About 30% of people taking clonazepam experience ataxia.")
    assert claim.effect == "ataxia"


def test_negation_after_the_value(nlp):
    assert one_claim(nlp, "For him, 10 mg of zolpidem is not the recommended dose.").negated is True


def test_population_in_a_contrasting_clause_is_its_own(nlp):
    found = claims_of(nlp, "Lorazepam for anxiety starts at 2-3 mg daily; older adults begin lower, at 1-2 mg daily.")
    assert [c.population for c in found] == [None, "elderly"]


def test_extended_release_products_are_marked(nlp):
    assert one_claim(nlp, "Xanax XR is started at 0.5 mg once daily.").formulation == "extended-release"
    assert one_claim(nlp, "Xanax is started at 0.5 mg three times a day.").formulation is None


@pytest.mark.parametrize(
    ("sentence", "attribute"),
    [
        ("You shouldn't go above 40 mg of escitalopram a day.", "dose.max"),
        ("Reduce the clonazepam dose by no more than 0.5 mg every 3 days.", "dose.increment"),
        ("Doses up to 2400 mg of gabapentin a day have been well tolerated.", "dose.mention"),
        ("Sertraline can take 4 to 6 weeks to work fully.", "treatment.duration"),
    ],
)
def test_bounds_steps_and_courses(nlp, sentence, attribute):
    assert one_claim(nlp, sentence).attribute == attribute


@pytest.mark.parametrize(
    ("sentence", "attribute", "value"),
    [
        ("Adults may take as much as 4 mg of clonazepam a day.", "dose.max", (4, 4)),
        ("Some patients can be given as high as 40 mg of citalopram.", "dose.max", (40, 40)),
        # a dose someone happens to be on, not one they are allowed
        ("Some people take as much as 10 mg of alprazolam daily.", "dose.mention", (None, 10)),
        ("Patients who may be on as much as 20 mg of clonazepam need a slow taper.", "dose.mention", (None, 20)),
    ],
)
def test_amount_someone_may_take_is_a_ceiling(nlp, sentence, attribute, value):
    claim = one_claim(nlp, sentence)
    assert (claim.attribute, (claim.value.low, claim.value.high)) == (attribute, value)


def test_prohibited_doses_above_a_value_make_the_value_the_maximum(nlp):
    claim = one_claim(nlp, "Dosages of citalopram above 40 mg once daily are not recommended.")
    assert (claim.attribute, claim.value.low, claim.value.high) == ("dose.max", 40, 40)


@pytest.mark.parametrize(
    ("sentence", "attribute"),
    [
        # a course someone has been on
        ("I have been taking Xanax for over 8 years.", "treatment.duration"),
        ("When you are on Ativan for a long period of time lets say 2 or 3 years then it stops working.",
         "treatment.duration"),
        ("This diminished but never entirely over the four years I took Neurontin.", "treatment.duration"),
        ("Before Lexapro I took Prozac for a year.", "treatment.duration"),
        ("I have been on it 2 years now.", "treatment.duration"),
        # durations of effect written with a verb of wearing off, relief or action, in hours or days
        ("Once the morphine wore off after 12 hours I was too tired.", "duration.effect"),
        ("One dose of diazepam keeps working for 2 days.", "duration.effect"),
        ("Ibuprofen eases the pain for 6 hours.", "duration.effect"),
        # onset written as feeling or kicking in
        ("After 3 days of Lexapro, I felt good.", "onset"),
        ("When the sertraline finally kicked in (after about two weeks), I felt normal.", "onset"),
        ("After about fifteen minutes of trazodone I would get drowsy.", "onset"),
    ],
)
def test_what_a_span_of_time_is_about(nlp, sentence, attribute):
    assert one_claim(nlp, sentence).attribute == attribute


@pytest.mark.parametrize(
    "sentence",
    [
        "I have had anxiety for 10 years and Xanax helps.",
        "Klonopin helped a lot, and thank god after 5 years I am cured.",
        "Trazodone put me to sleep after over 20 years of chronic insomnia.",
        "On Ambien I slept 7 hours.",
        "On zolpidem I wake up 7-8 hours later.",
        "At least 14 days must elapse between stopping an MAOI and starting citalopram.",
    ],
)
def test_spans_of_a_condition_sleep_or_a_wait_are_not_claims(nlp, sentence):
    assert claims_of(nlp, sentence) == []


@pytest.mark.parametrize(
    ("text", "indication"),
    [
        # a side effect named with the number is not what the drug is for
        ("In trials, insomnia 9% of patients taking sertraline was reported.", None),
        ("Clonazepam withdrawal symptoms caused terrible insomnia, so I took 1 mg at night for sleepwalking.",
         "sleepwalking"),
        # the label's indication carries to claims that name none
        ("CELEXA is indicated for the treatment of major depressive disorder.\n\n"
         "Initial dosage of citalopram is 20 mg once daily.", "major depressive disorder"),
        # consumer words of conditions resolve to one name
        ("I take diphenhydramine 25 mg for hay fever.", "allergies"),
        ("Lorazepam 1 mg helped with my alcohol withdrawal.", "alcohol withdrawal"),
        ("I was given 300 mg of gabapentin for chronic pain.", "chronic pain"),
        ("Sertraline 50 mg helped my depression.", "major depressive disorder"),
    ],
)
def test_indication_words_and_effects(nlp, text, indication):
    found = [c for c in claims_of(nlp, text) if c.unit in ("mg", "percent")]
    assert found and found[-1].indication == indication, [(c.location["quote"], c.indication) for c in found]


@pytest.mark.parametrize(
    ("sentence", "attribute"),
    [
        ("Your doctor will reduce your sertraline dose gradually, for example by 25mg every 2 weeks.",
         "dose.increment"),
        ("For muscle spasms, the diazepam dose can go up to 60mg a day.", "dose.max"),
        ("Taking more than 200mg of sertraline a day can cause side effects such as sickness.", "dose.max"),
        ("I went back up to 50mg of Zoloft and am still there.", "dose.mention"),
        ("On 50 mg of trazodone the first few days, I awoke with jaw pain.", "dose.start"),
    ],
)
def test_public_page_and_patient_dose_wording(nlp, sentence, attribute):
    assert one_claim(nlp, sentence).attribute == attribute


def test_a_medicine_taken_alongside_is_not_the_dose_s_drug(nlp):
    text = "Gabapentin review\n\nI take 100 mg three times a day, with hydrocodone. Gabapentin helps."
    assert [c.drug for c in claims_of(nlp, text) if c.unit == "mg"] == ["gabapentin"]


def test_an_approximate_span_written_or_so(nlp):
    claim = one_claim(nlp, "I fall asleep within 15 or so minutes of taking Ambien.")
    assert (claim.attribute, claim.value.high, claim.unit) == ("onset", 15, "minute")
