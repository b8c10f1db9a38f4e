"""The ``cue_recognizer`` component: the words that say what a number means.

A token Matcher finds cue phrases and stores them as ``doc.spans["cues"]`` with a label:

- attribute cues: START ("starting dose"), TARGET ("maintenance"), MAX ("should not exceed",
  "upper limit"), INCREMENT ("increase by"), TYPICAL ("usually", "ranges from"), ONSET
  ("starts working", "kicks in"), DURATION ("lasts"), PEAK, HALF_LIFE, TREATMENT ("for full
  effect", "course"), EFFICACY ("relieves", "remission"), INCIDENCE ("experience", "report");
- context cues in the manner of ConText: NEGATION ("not", "never"), PSEUDO (negation words
  that do not negate: "not exceed", "no more than", "not recommended"), HYPOTHETICAL ("if",
  "might", "could"), PERMISSIVE ("may take": a permission, not a hypothesis), CITATION
  ("according to", "[1]"), TERMINATE (clause boundaries: "but", "while", ";");
- NOT_CLAIM cues that rule a number out: pharmacokinetic percentages ("bioavailability"),
  ages ("aged", "years old").

Each phrase list is data; the claim builder decides what the cues mean for each number.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

CUE_PHRASES: dict[str, list[str]] = {
    "START": [
        "start", "starts", "starting", "started", "start at", "start with", "start on", "start off",
        "initial", "initially", "begin", "begins", "beginning", "begin with", "initiate", "initiated",
        "initiation", "first dose", "at first", "commence", "commenced", "starter", "to start",
        "opening dose", "lowest dose", "initial dose", "starting", "start dose", "began", "begun",
        "started on", "started me on", "began me on", "put me on", "to start", "to begin",
    ],
    "TARGET": [
        "target", "targets", "maintenance", "maintain", "maintained", "maintaining", "increase to",
        "increased to", "raised to", "titrate to", "titrated to", "titrated up to", "work up to",
        "goal", "therapeutic target", "stable dose", "increasing to",
    ],
    "MAX": [
        "maximum", "max", "max.", "maximal", "upper limit", "ceiling", "highest dose", "highest recommended",
        "highest approved", "highest daily", "not exceed", "not to exceed", "never exceed", "no more than",
        "not more than", "at most", "must not exceed", "should not exceed", "do not exceed",
        "don't exceed", "do n't exceed", "not go above", "not go over", "not take more than",
        "never take more than", "limit of", "daily limit", "upper dose", "top dose", "cap",
        "maximum recommended", "recommended maximum", "not be exceeded", "should not be exceeded",
        "must not be exceeded", "highest", "limit", "at or below", "stay at or below", "keep it at or below",
        "is the most", "the most you", "most you should", "the most anyone", "can reach", "may reach",
        "tops out at", "topping out at", "tops out", "capped at", "caps at",
    ],
    "INCREMENT": [
        "increase by", "increased by", "increases of", "increase of", "increasing by", "increments of",
        "increment of", "increments", "in increments", "in steps of", "steps of", "step of",
        "titrate by", "titrated by", "titrated in", "raise by", "raised by", "go up by", "added",
        "adding", "decrease by", "decreased by", "reduce by", "reduced by", "reductions of",
        "taper by", "tapered by", "lower by", "lowered by", "cut by", "step up by", "bumped up by",
        "upward adjustments of", "adjustments of", "dose increases of", "increased in increments of",
        "dose increases", "dose increase", "increases", "steps", "step-ups", "dose reductions", "reductions",
        "decrements", "dose steps", "titration steps", "dose is increased", "how the dose is increased",
        "titration", "dose adjustment", "dose adjustments",
    ],
    "TYPICAL": [
        "typical", "typically", "usual", "usually", "recommended", "standard", "common", "commonly",
        "normal", "normally", "range", "ranges", "ranging", "generally", "average", "regular",
        "most people take", "often prescribed", "is prescribed", "are prescribed", "prescribed at",
        "dosage is", "dose is", "doses are", "effective dose", "effective doses", "dose range", "dosage range",
        "most people", "most adults", "most patients", "many people", "settle on", "settles on", "end up on",
        "usual range", "usual dose", "usual daily dose", "most take",
    ],
    "ONSET": [
        "onset", "start working", "starts working", "start to work", "starts to work", "begin working",
        "begins working", "begin to work", "begins to work", "take effect", "takes effect",
        "taking effect", "to take effect", "kick in", "kicks in", "feel the effects", "feel its effects",
        "feel the effect", "effects are felt", "effects can be felt", "works within", "work within",
        "before bed", "before bedtime", "before you go to bed", "before going to bed", "before sleep",
        "before you go to sleep", "how quickly", "how fast", "fast-acting", "takes effect within",
        "to work", "start feeling", "starts to act", "absorbed within", "felt within", "starts acting",
        "feel better", "feeling better", "start to feel", "begin to feel", "notice an improvement",
        "notice a difference", "improve within",
    ],
    "DURATION": [
        "last", "lasts", "lasting", "lasted", "duration of action", "duration of effect", "duration of effects",
        "wear off", "wears off", "effects for", "effect for", "relief for", "coverage for", "keeps working",
        "keep working", "works for", "effective for", "act for", "acts for", "long-acting",
        "duration", "sedation for", "calming effects for", "noticeable effects", "effects fade", "wears off after",
        "fade after", "fades after", "effects begin to fade",
    ],
    "PEAK": [
        "peak", "peaks", "peaked", "peak levels", "peak concentration", "peak concentrations",
        "peak plasma", "maximum concentration", "maximum concentrations", "maximum plasma", "tmax",
        "t max", "highest levels", "highest level", "highest concentration", "reaches its highest",
        "reach their highest", "reach its highest", "strongest effect", "strongest effects",
    ],
    "HALF_LIFE": [
        "half-life", "half - life", "half life", "halflife", "half-lives", "half - lives",
        "elimination half", "t1/2", "t½", "t 1/2", "half of the drug", "half the drug", "half of it",
        "half of a dose", "half of the dose",
    ],
    "TREATMENT": [
        "for full effect", "full effect", "full effects", "full benefit", "full benefits", "to work",
        "treatment", "course", "courses", "therapy", "short-term", "short - term", "short term",
        "long-term", "long - term", "long term", "use for", "used for", "take it for", "taken for",
        "take for", "prescribed for", "no longer than", "not longer than", "after", "up to",
        "weeks of", "months of", "to notice", "to feel", "to see", "to reach", "trial",
        "continued for", "continue for", "stay on", "limited to", "beyond",
    ],
    "EFFICACY": [
        "relieve", "relieves", "relieved", "relief", "improve", "improves", "improved", "improvement",
        "improvements", "respond", "responds", "responded", "response", "responders", "remission",
        "effective", "effectiveness", "efficacy", "benefit", "benefits", "benefited", "benefitted",
        "helped", "helps", "help", "symptom-free", "symptom - free", "success", "successful",
        "successfully", "better", "reduced symptoms", "reduction in symptoms", "fewer panic attacks",
        "panic-free", "panic - free", "recovered", "recovery", "works for", "worked for", "controlled",
        "seizure-free", "seizure - free", "reduction in", "reduced their", "fell asleep faster",
    ],
    "INCIDENCE": [
        "experience", "experiences", "experienced", "experiencing", "report", "reports", "reported",
        "reporting", "develop", "develops", "developed", "side effect", "side effects", "adverse",
        "suffer", "suffered", "affects", "affected", "occurs", "occur", "occurred", "incidence",
        "risk", "dependence", "dependent", "addiction", "addicted", "withdrawal", "had", "have",
        "get", "got", "drowsiness", "discontinued", "stopped taking", "dropped out", "rate", "lose", "loses", "lost",
    ],
    "NEGATION": [
        "not", "n't", "no", "never", "neither", "nor", "without", "none", "isn't", "aren't",
        "doesn't", "don't", "cannot", "rather than", "instead of", "nothing",
    ],
    "PSEUDO": [
        "not exceed", "not to exceed", "never exceed", "no more than", "not more than", "not only",
        "no longer than", "not longer than", "not recommended", "not advised", "not approved",
        "no greater than", "not greater than", "not go above", "not go over", "not take more than",
        "never take more than", "n't exceed", "not be exceeded", "no later than", "not less than",
        "no less than", "not exceeding", "not uncommon", "no sooner than", "not stop", "never stop",
        "no matter", "not sure", "don't stop", "do not stop", "not sure",
    ],
    "HYPOTHETICAL": [
        "if", "unless", "in case", "whether", "suppose", "supposing", "might", "could", "would",
        "may", "in the event", "should you", "were to", "hypothetically", "perhaps", "possibly",
    ],
    "PERMISSIVE": [
        "may take", "may be taken", "may be given", "may be prescribed", "may be started",
        "may be increased", "may be used", "may be divided", "may be administered", "may receive",
        "may use", "may start", "may increase", "may be raised", "may be adjusted", "may need up to",
        "if needed", "if necessary", "as needed", "when needed", "if required", "where needed",
        "may be titrated", "may be reduced", "may be decreased", "may require up to",
    ],
    "CITATION": [
        "according to", "as reported by", "as reported in", "reported by", "published in", "data from",
        "per the", "as per", "the fda says", "the fda recommends", "the fda states", "fda label",
        "fda labeling", "fda labelling", "prescribing information", "package insert", "product label",
        "the label says", "the label states", "drug label", "et al", "et al.", "citing", "cited by",
        "a study published", "a review published", "a trial published", "in a study by",
        "the label", "summary of product characteristics", "the smpc", "per fda", "fda-approved labeling",
    ],
    "TERMINATE": [
        "but", "however", "although", "though", "yet", "while", "whereas", "except",
        "whilst", ";", "so", "then", "meanwhile", "unlike",
    ],
    "NOT_CLAIM_PERCENT": [
        "bioavailability", "bioavailable", "protein-bound", "protein - bound", "protein bound", "bound",
        "binding", "absorbed", "absorption", "excreted", "metabolized", "metabolised", "of the dose",
        "plasma protein", "eliminated", "unchanged", "off", "discount", "alcohol by volume", "abv",
        "interest", "tax", "coupon", "savings", "cheaper", "price", "cost", "costs", "humidity", "bloodstream",
        "oral dose",
    ],
    "AGE": [
        "aged", "age", "ages", "years old", "year old", "year-old", "year - old", "years of age",
        "and older", "or older", "and over", "and up", "older than", "younger than", "born",
        "months old", "month-old", "month - old", "old", "birthday",
    ],
}

REFERENCE_MARKER = [
    # "[1]", "[12]", "[1, 2]", "[1-3]"
    [{"ORTH": "["}, {"LIKE_NUM": True}, {"ORTH": {"IN": [",", "-", "–"]}, "OP": "?"},
     {"LIKE_NUM": True, "OP": "?"}, {"ORTH": "]"}],
    # superscript digits
    [{"TEXT": {"REGEX": r"^[¹²³⁴⁵⁶⁷⁸⁹⁰]+$"}}],
    # a reference number glued after the sentence's full stop: "... experience ataxia.12"
    [{"ORTH": ".", "SPACY": False}, {"TEXT": {"REGEX": r"^\d{1,3}$"}}],
    # "(Smith et al., 2020)", "(FDA, 2023)"
    [{"ORTH": "("}, {"IS_TITLE": True}, {"OP": "{0,4}"}, {"TEXT": {"REGEX": r"^(19|20)\d\d[a-z]?$"}}, {"ORTH": ")"}],
]


LABEL_ORDER = {label: k for k, label in enumerate(CUE_PHRASES)}


class CueRecognizer:
    """Marks cue phrases (see module docstring)."""

    def __init__(self, nlp: Language, name: str = "cue_recognizer") -> None:
        self.name = name
        # phrase lists go to a PhraseMatcher (fast, case-insensitive); token patterns to a Matcher
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        for label, phrases in CUE_PHRASES.items():
            self.phrases.add(label, [nlp.make_doc(phrase) for phrase in phrases])
        self.matcher = Matcher(nlp.vocab)
        self.matcher.add("CITATION", REFERENCE_MARKER)

    def __call__(self, doc: Doc) -> Doc:
        by_label: dict[str, list[Span]] = {}
        for match_id, start, end in [*self.phrases(doc), *self.matcher(doc)]:
            label = doc.vocab.strings[match_id]
            by_label.setdefault(label, []).append(Span(doc, start, end, label=label))
        spans: list[Span] = []
        for group in by_label.values():
            spans.extend(filter_spans(group))  # longest match per label; labels may overlap
        # cues on the same tokens keep the order of CUE_PHRASES, whatever else the text holds
        spans.sort(key=lambda s: (s.start, -s.end, LABEL_ORDER.get(s.label_, len(LABEL_ORDER))))
        doc.spans["cues"] = spans
        return doc


@Language.factory("cue_recognizer")
def make_cue_recognizer(nlp: Language, name: str) -> CueRecognizer:
    """spaCy factory for :class:`CueRecognizer`."""
    return CueRecognizer(nlp, name)
