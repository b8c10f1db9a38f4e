"""The word lists the claim builder reads: what a word near a number says about it.

Kept apart from the logic so that they can be reviewed, and extended, as data.
"""

from __future__ import annotations

import re

from .cues import load_word_lists

_LISTS = load_word_lists()

DOSE_CUES = ("INCREMENT", "MAX", "START", "TARGET", "TYPICAL")
DOSE_ATTRIBUTE = {
    "START": "dose.start", "TARGET": "dose.target", "MAX": "dose.max",
    "INCREMENT": "dose.increment", "TYPICAL": "dose.typical",
}
TIME_CUES = {
    "HALF_LIFE": ("half_life", {"minute", "hour", "day", "week"}),
    "PEAK": ("peak", {"minute", "hour"}),
    "ONSET": ("onset", {"minute", "hour", "day", "week"}),
    "DURATION": ("duration.effect", {"minute", "hour", "day"}),
    "TREATMENT": ("treatment.duration", {"day", "week", "month", "year"}),
}
# Words between a value and a following cue that keep the cue from applying to it.
DETACHING = {"below", "under", "less", "above", "beyond", "over", "exceed", "exceeds", "than", "near", "from"}
CLAUSE_PUNCT = {";", "—", "–", "•"}
CONTRASTS = {"but", "while", "whereas", "whilst", "however", "although", "though", "unlike", "versus", "vs", "vs."}
CLAUSE_JOINERS = {"and", "but", "so", "while", "whereas", "although", "though"}
# A clause opening with one of these ("While it's not the highest dose, ...", "Within the 0.25 to 4 mg
# range, ...") is an introductory phrase that ends at its comma.
SUBORDINATORS = {"while", "although", "though", "whereas", "if", "unless", "when", "because", "since", "as",
                 "whilst", "once", "after", "before", "until", "within", "at", "for", "in", "with", "by",
                 "among", "unlike", "compared", "like", "despite", "during", "according", "besides", "beyond"}
EFFECT_VERBS = {"experience", "experiences", "experienced", "report", "reports", "reported", "develop",
                "develops", "developed", "had", "have", "has", "get", "got", "suffer", "suffered", "notice",
                "noticed", "feel", "felt", "reporting", "experiencing", "developing"}
EFFECT_STOP = {",", ".", ";", ":", "and", "or", "but", "while", "when", "after", "in", "at", "during", "with",
               "from", "than", "compared", "(", ")", "—", "–", "if", "because", "as", "which", "who", "that"}
DETERMINERS = {"a", "an", "the", "some", "any", "their", "its", "his", "her", "mild", "moderate", "severe",
               "significant", "noticeable", "symptoms", "of"}
DOSE_WORDS = {"dose", "doses", "dosage", "tablet", "pill", "capsule"}
PROHIBITIONS = ("not recommended", "not be taken", "should not", "must not", "never take", "do not take",
                "don't take", "is unsafe", "are unsafe", "is dangerous", "are dangerous", "not advised",
                "should be avoided", "not approved", "avoid", "can cause", "may cause", "could cause", "can be dangerous",
                "can be harmful", "can lead to", "may lead to", "too much")
FREQ_NUMBER_WORDS = {"once", "twice", "two", "three", "four", "one"}
# Words for people that an age or weight bound can qualify ("patients 12 years of age and older").
PERSON_WORDS = re.compile(r"\b(?:patients?|people|persons|individuals|those|anyone|someone)\b", re.IGNORECASE)
# Words after "<amount> of" that still speak of the medicine.
MEDICINE_WORDS = {"medication", "medications", "medicine", "medicines", "drug", "drugs", "tablet", "tablets",
                  "capsule", "capsules", "liquid", "solution", "syrup", "suspension", "pill", "pills", "dose", "doses",
                  "extended", "immediate", "oral", "generic", "brand", "active", "ingredient", "elemental", "base",
                  "salt", "hydrochloride", "hcl", "tartrate", "weight", "body", "daily"}
PARTICIPLES = {"given", "taken", "written", "chosen", "shown", "begun", "put", "set", "cut", "split", "kept"}
# Bounds that set a ceiling ("up to 6 mg a day"), as opposed to describing low doses ("0.5 mg or less").
CEILING_BOUNDS = {"up to", "no more than", "not more than", "not to exceed", "no greater than", "not greater than",
                  "can reach", "may reach", "can be as high as",
                  "at most", "a maximum of", "maximum of", "max of", "not exceed", "not exceeding", "never exceed",
                  "no higher than", "not above", "at or below", "at or under", "≤", "not over", "not higher than",
                  "not beyond", "not in excess of", "not exceeds"}
# "may take as much as 40 mg", "can be given as high as 10 mg": an amount someone is allowed to take
# or reach is an upper limit. The bound must follow a modal and a verb of taking in its clause.
PERMITTED_BOUNDS = {"as much as", "as high as"}
MODALS = {"may", "can", "could", "might"}
TAKING_VERBS = {"take", "taken", "given", "need", "needed", "receive", "received", "use", "used", "go",
                "prescribed", "have", "get"}
CHANGE_VERBS = {"increase", "increased", "increases", "increasing", "raise", "raised", "raises", "raising", "decrease",
                "decreased", "decreases", "decreasing", "reduce", "reduced", "reduces", "reducing", "lower",
                "lowered", "lowers", "lowering", "cut", "cuts", "cutting", "taper", "tapered", "tapers", "tapering",
                "titrate", "titrated", "titrates", "titrating", "adjust", "adjusted", "drops", "goes", "went",
                "drop", "dropped", "dropping", "go", "going", "step", "stepped", "up", "down", "bump",
                "increments", "steps", "changes", "change"}
# Day/week/month spans after these words are how long something takes or lasts: a course of treatment.
SPAN_BEFORE = {"for", "over", "after", "within", "during", "than", "takes", "take", "taking", "took", "need",
               "needs", "needed", "lasting", "beyond", "first", "least", "about", "around", "up", "to",
               "period", "course", "another", "next", "further", "additional", "extra"}
# "within an hour" is an onset only where the clause speaks of a drug or its effect.
EFFECT_WORDS = {"work", "works", "working", "effect", "effects", "feel", "feeling", "felt", "relief", "kick", "kicks",
                "act", "acts", "acting", "calm", "calming", "sleep", "drowsy", "drowsiness", "sedation", "dose",
                "taking", "take", "taken", "start", "starts", "begin", "begins", "onset", "symptoms", "it"}
# A span of days or weeks is a course of treatment only where the clause speaks of treatment.
TREATMENT_WORDS = {"take", "takes", "taking", "taken", "took", "use", "uses", "using", "used", "treatment", "treated",
                   "therapy", "prescribed", "prescription", "course", "dose", "doses", "dosing", "dosage", "stop",
                   "stopping", "taper", "tapering", "medication", "medicine", "work", "works", "working", "effect",
                   "effects", "benefit", "improve", "improvement", "relief", "respond", "response", "trial",
                   "increase", "increased", "reduce", "reduced", "switch", "switching", "continue", "continued",
                   "feel", "better", "notice", "wean", "weaning", "start", "starting", "regular", "daily",
                   "short-term", "long-term", "term", "limit", "limited", "beyond", "longer", "need", "needs",
                   "full", "weeks", "results"}
PEOPLE_WORDS = {"people", "patients", "users", "adults", "children", "participants", "subjects", "women", "men",
                "persons", "individuals", "those", "them", "patient", "person", "adult", "child", "user", "kids",
                "teens", "adolescents", "seniors", "respondents", "volunteers", "cases", "who", "everyone",
                "americans", "population", "prescriptions"}
NOT_A_SPAN_AFTER = {"supply", "pack", "packs", "prescription", "refill", "ago", "old", "later", "earlier",
                    "apart", "notice", "study", "trial", "studies", "trials", "window"}

# Lists kept in cues.yaml (section `words`), for editors to extend.
SLEEP_WORDS = set(_LISTS["sleep"])  # hours after these are hours of sleep
INTERVAL_WORDS = set(_LISTS["interval"])  # a span in a clause with these is a wait, not a course
WEAK_TREATMENT_CUES = set(_LISTS["weak_treatment_cues"])  # TREATMENT cues that need a clause about treatment
ON_OBJECTS = set(_LISTS["on_objects"])  # "on it", "on them": being on a medicine
SPAN_DETERMINERS = set(_LISTS["span_determiners"])
CONDITION_VERBS = set(_LISTS["condition_verbs"])  # "had anxiety for 10 years": how long a condition lasted  # "for the 16 days", "over the past 2 years"
# DURATION cues that are verbs of relief: "within" after one of them is how soon, not how long
RELIEF_VERBS = {"eases", "eased", "ease", "relieves", "relieved", "helps for", "helped for"}
# words before a condition that name it as an effect of the drug ("side effects such as insomnia")
EFFECT_MARKERS = set(_LISTS["effect_markers"])
# phrases before a condition that say what a drug is for, in a label's indications
INDICATED_PHRASES = ("indicated for", "indicated in", "indicated as", "in the management of", "indicated to treat")
# START cues that name the dose written before them ("On 50 mg the first few days", "25 mg for the first week")
START_AFTER_ONLY = {"first few days", "the first time", "first days", "first day", "the first week",
                    "for the first week", "first two days", "first 2 days", "first 3 days", "first three days"}
SUBJECT_PRONOUNS = {"i", "we", "you", "he", "she", "they"}
TREATMENT_WORDS |= set(_LISTS["treatment"])
