"""Who and what a claim is about: drug, indication, population (with its subgroup, a condition
such as renal impairment, and age, weight or creatinine-clearance bounds), formulation, and
whether it is negated, hypothetical or cited (in the manner of ConText: a trigger and a scope
that ends at a clause boundary).
"""

from __future__ import annotations

from spacy.tokens import Span

from .bounds import find_bound
from .token_table import token_table
from .words import (
    CONTRASTS,
    EFFECT_MARKERS,
    FREQ_NUMBER_WORDS,
    PARTICIPLES,
)


def resolve_context(doc, index, start, end, sent, clauses, clause, draft) -> None:
    draft.heading = heading_text(index, index.tokens.idx[start])
    # a product named in the title ("Lorazepam: tablets and injection") need not be every claim's
    draft.formulation = nearest_term(doc, index, index.formulations, start, sent, clauses, clause, draft, "formulation",
                                     sections="own")
    resolve_drug(doc, index, start, end, sent, clauses, clause, draft)
    draft.indication = nearest_term(doc, index, index.indications, start, sent, clauses, clause, draft, "indication")
    draft.population = nearest_term(doc, index, index.populations, start, sent, clauses, clause, draft, "population", end)
    population_scope(doc, index, start, sent, clauses, clause, draft)
    negation_and_hypothesis(doc, index, start, end, sent, clauses, clause, draft)
    citation(doc, index, sent, draft)


def heading_text(index, char) -> str | None:
    b = index.block_index(char)
    if b < 0:
        return None
    h = index.heading_block[b]
    if h < 0:
        return None
    blk = index.blocks[h]
    return index.text[blk.start:blk.end].strip()



def resolve_drug(doc, index, start, end, sent, clauses, clause, draft) -> None:
    mentions = index.drugs_in(sent)
    chosen, how = None, None
    if mentions:
        # attached: "4 mg of clonazepam", "clonazepam 0.5 mg", "Klonopin (clonazepam) 1 mg"
        t = token_table(doc)
        lower = t.lower
        for m in mentions:
            if 0 <= m.start - end <= 2 and all(w in ("of", "(", "the", "for") for w in lower[end:m.start]):
                chosen, how = m, "named right after the value"
                break
            if 0 < m.start - end <= 7 and lower[m.start - 1] == "for" and not any(
                    t.like_num[k] and lower[k] not in FREQ_NUMBER_WORDS for k in range(end, m.start)
            ) and not index.drugs_between(end, m.start):
                # "0.25 mg twice a day for Klonopin", "about 11 hours for Xanax"
                chosen, how = m, "named after the value with 'for'"
                break
            if 0 <= start - m.end <= 1:
                chosen, how = m, "named right before the value"
                break
        if chosen is None:
            before = [m for m in mentions if m.end <= start and clauses[m.start - sent.start] == clause]
            before = [m for m in before if not comparator(doc, m)]
            if before:
                chosen, how = before[-1], "nearest before the value in its clause"
        if chosen is None:
            same = [m for m in mentions if clauses[m.start - sent.start] == clause and not comparator(doc, m)
                    and not co_medication(doc, m, end)]
            if same:
                chosen, how = same[0], "named in the same clause"
        if chosen is None:
            primary = [m for m in mentions if not comparator(doc, m) and not co_medication(doc, m, end)]
            if primary:
                chosen, how = primary[0], "named in the same sentence"
    inherited = chosen is None
    if chosen is None:
        for header in index.header_spans(index.tokens.idx[start]):
            names = index.drugs_in(header)
            if names:
                chosen, how = names[0], "named in its table header"
                inherited = False
                break
    if chosen is None:
        b = index.block_index(index.tokens.idx[start])
        h = index.heading_block[b] if b >= 0 else -1
        if h >= 0:
            span = index.block_span(h)
            if span is not None:
                names = index.drugs_in(span)
                if names:
                    chosen, how = names[0], "named in the section heading"
        if chosen is None and b >= 0:
            blk = index.blocks[b]
            prior = index.terms_at(index.drugs, blk.start, sent.start_char)
            if prior:
                last_sent = index.sentence(prior[-1].start)
                candidates = [m for m in prior if m.start >= last_sent.start]
                candidates = [m for m in candidates if not comparator(doc, m)] or candidates
                chosen, how = specific(candidates), "named earlier in the paragraph"
    if chosen is not None and chosen.id_ == "class" and mentions:
        # "clonazepam, the most commonly prescribed benzodiazepine, ...": the drug, not its class
        members = [m for m in mentions if m.id_ != "class" and not comparator(doc, m)
                   and chosen.label_ in index.lexicon.classes_of(m.label_)]
        if members:
            chosen, how = members[0], "named in the same sentence (a member of the class named nearer)"
    if chosen is None:
        draft.drug = index.main_drug
        draft.explain["drug"] = "the article's main drug" if index.main_drug else "no drug named"
    else:
        name = chosen.label_
        if inherited and chosen.id_ == "class" and index.main_drug and name in index.lexicon.classes_of(index.main_drug):
            name = index.main_drug
            how += " (a class; the article's main drug belongs to it)"
        draft.drug = name
        draft.explain["drug"] = f"'{chosen.text}' {how}"
    if draft.drug:
        classes = index.lexicon.classes_of(draft.drug)
        draft.drug_class = classes[0] if classes else None


def population_scope(doc, index, start, sent, clauses, clause, draft) -> None:
    """A subgroup ("women" -> adult, women), a condition (renal impairment), and the age, weight
    and creatinine-clearance bounds the sentence, its table headers or its heading state."""
    parents = index.lexicon.population_parent
    if draft.population in parents:
        detail = draft.population
        while draft.population in parents:
            draft.population = parents[draft.population]
        draft.population_detail = detail
    # a condition or a kidney-function band is read near the claim (sentence, table headers, list
    # introduction), not from a heading whose section may run on past where it ends
    draft.condition = nearest_term(doc, index, index.conditions, start, sent, clauses, clause, draft, "condition",
                                   sections="none")
    sent_text = index.text[sent.start_char:sent.end_char]
    texts = [sent_text, *index.header_texts(index.tokens.idx[start])]
    row_label = index.row_label(index.tokens.idx[start])  # "| Creatinine clearance | ... |" over "| 30-59 | 400-1400 mg |"
    if row_label:
        texts.append(row_label)
    renal = next((b for b in (find_bound("renal", t) for t in texts) if b is not None), None)
    if renal is not None:
        draft.renal_function = renal
        if renal.low is None or renal.low < 60:  # 60 mL/min or more is dosed as normal kidney function
            draft.condition = draft.condition or "renal impairment"
        draft.explain["renal_function"] = "creatinine clearance stated"
    if draft.heading:
        texts.append(draft.heading)
    if draft.population is not None or index.names_persons(sent):
        # ages and weights bound a population only where one is named ("children up to 10 years",
        # "patients 12 years of age and older")
        for key in ("age", "weight"):
            bound = next((b for b in (find_bound(key, t) for t in texts) if b is not None), None)
            if bound is not None:
                setattr(draft, key, bound)
                draft.explain[key] = f"{key} bound stated for the population"


def specific(mentions: list[Span]) -> Span:
    """The first drug named, before any class."""
    return next((m for m in mentions if m.id_ != "class"), mentions[0])


def co_medication(doc, mention: Span, value_end: int) -> bool:
    """ "I take 100 mg three times a day, with hydrocodone": a medicine taken alongside, named after the dose."""
    if mention.start < value_end:
        return False
    prev = set(token_table(doc).lower[max(value_end, mention.start - 2):mention.start])
    return bool(prev & {"with", "plus", "alongside", "besides"})


def comparator(doc, mention: Span) -> bool:
    """ "than diazepam", "unlike alprazolam", "compared with lorazepam": a drug named for contrast."""
    prev = token_table(doc).lower[max(0, mention.start - 2):mention.start]
    if set(prev) & {"than", "unlike", "versus", "vs", "vs.", "compared", "like", "including", "include", "includes"}:
        return True
    # "someone who has never taken a benzodiazepine": a class named in general, not the subject
    return mention.id_ == "class" and bool(prev) and prev[-1] in ("a", "an", "another", "any", "other")


def named_as_effect(doc, span, sent) -> bool:
    """ "Insomnia 15 14", "insomnia 9%", "side effects such as insomnia", "which caused terrible insomnia":
    a condition named as an effect of the drug, not as what it is taken for."""
    t = token_table(doc)
    if span.end < sent.end and (t.like_num[span.end] or t.text[span.end] in ("<", "≤")):
        return True
    before = set(t.norms(max(sent.start, span.start - 4), span.start))
    return bool(before & EFFECT_MARKERS)


def nearest_term(doc, index, spans, start, sent, clauses, clause, draft, key, end=None, sections="all") -> str | None:
    """The term of ``spans`` a claim is about: in its sentence, else its table headers, the
    introduction of its list, and its headings and the title (``sections="all"``), only its own
    section heading when that is not the title (``"own"``), or neither (``"none"``)."""
    end = start if end is None else end
    t = token_table(doc)
    lower = t.lower
    in_sent = index.sentence_terms.get((key, sent.start))
    if in_sent is None:  # the same for every claim of the sentence
        in_sent = index.terms_at(spans, sent.start_char, sent.end_char)
        if key == "indication":
            in_sent = [s for s in in_sent if not named_as_effect(doc, s, sent)]
        # "for reasons other than sleep": a negated term says nothing about this claim
        in_sent = [s for s in in_sent if not (set(lower[max(sent.start, s.start - 2):s.start]) & {"than", "not", "without"})]
        index.sentence_terms[(key, sent.start)] = in_sent
    # a term after a contrast speaks of its own clause: "starts at 2-3 mg; older adults begin at 1 mg"
    in_sent = [s for s in in_sent if s.end <= start or not any(
        t.text[k] == ";" or lower[k] in CONTRASTS for k in range(start, s.start))]
    if in_sent:
        before = [s for s in in_sent if s.end <= start]
        chosen = before[-1] if before else in_sent[0]
        # "5 mg for women and 5 or 10 mg for men": a group named right after the value is its own
        after = [s for s in in_sent if key != "indication" and 0 < s.start - end <= 2
                 and lower[end] in ("for", "in") and all(w in ("for", "in", "the") for w in lower[end:s.start])]
        if after:
            chosen = after[0]
        if key == "indication":
            # "taken only in the luteal phase, sertraline for PMDD": the more specific of the two
            finer = [s for s in in_sent if s.end <= start and s.label_ != chosen.label_
                     and index.lexicon.indication_is_a(s.label_, chosen.label_)]
            if finer:
                chosen = finer[-1]
        group = coordinated(doc, in_sent, chosen)
        if key == "indication":
            draft.indications = list(dict.fromkeys(s.label_ for s in group))
        draft.explain[key] = f"'{group[0].text}' in the sentence" + (
            f" (with {', '.join(repr(s.text) for s in group[1:])})" if len(group) > 1 else "")
        return group[0].label_
    # outside the sentence the answer depends on the claim's block alone: worked out once per block
    char = index.tokens.idx[start]
    b = index.block_index(char)
    found = index.outside_terms.get((key, b, sections))
    if found is None:
        found = index.outside_terms[(key, b, sections)] = term_outside_sentence(index, spans, key, char, sections)
    label, note = found
    if note is not None:
        draft.explain[key] = note
    return label


def term_outside_sentence(index, spans, key, char, sections) -> tuple[str | None, str | None]:
    """For a claim at char offset ``char`` whose sentence names no term of ``spans``: the term its
    table headers, its list's introduction, its headings or the title name (as ``nearest_term``
    says), and the note that says where it was found (None, None: nowhere)."""
    for header in reversed(index.header_spans(char)):
        found = index.terms_at(spans, header.start_char, header.end_char)
        if found:
            return found[0].label_, f"'{found[0].text}' in its table header"
    # a list introduced by "... for panic disorder follows this pattern:" carries its context
    b = index.block_index(char)
    if b > 0:
        blk = index.blocks[b]
        j = b - 1
        steps = 0
        while j >= 0 and steps < 8 and index.blocks[j].kind not in ("heading", "title"):
            prev = index.blocks[j]
            text = index.text[prev.start:prev.end].rstrip()
            if text.endswith(":"):
                found = index.terms_at(spans, prev.start, prev.end)
                if found:
                    return found[-1].label_, f"'{found[-1].text}' in the list's introduction"
                break
            if len(text) > 160 or blk.kind not in ("list_item", "paragraph", "table_cell"):
                break
            j -= 1
            steps += 1
        h = index.heading_block[b] if sections != "none" else -1
        if sections == "own" and h >= 0 and index.blocks[h] is index.title_block():
            h = -1
        while h >= 0:
            hb = index.blocks[h]
            found = index.terms_at(spans, hb.start, hb.end)
            if key == "population" and len({s.label_ for s in found}) > 1:
                found = []  # "it differs for women and men": a heading about several groups is about none
            if found:
                return found[0].label_, f"'{found[0].text}' in the heading '{index.text[hb.start:hb.end].strip()[:40]}'"
            h = index.parent_heading[h] if sections == "all" else -1
    # a label whose "indicated for" names one indication speaks of it throughout
    if key == "indication" and sections == "all" and index.indicated_for is not None:
        return index.indicated_for, f"'{index.indicated_for}': what the document says it is indicated for"
    # an article whose title names one indication speaks of it throughout
    title = index.title_terms(spans) if sections == "all" else []
    if len({s.label_ for s in title}) == 1:
        return title[0].label_, f"'{title[0].text}' in the title"
    return None, None


def coordinated(doc, spans: list[Span], chosen: Span) -> list[Span]:
    """ "panic disorder, PTSD and social anxiety": the terms listed together with ``chosen``."""
    i = spans.index(chosen)
    lo = hi = i
    joiners = {",", "and", "or", "/", "&", "as", "well"}
    lower = token_table(doc).lower
    while lo > 0 and all(w in joiners for w in lower[spans[lo - 1].end:spans[lo].start]):
        lo -= 1
    while hi + 1 < len(spans) and all(w in joiners for w in lower[spans[hi].end:spans[hi + 1].start]):
        hi += 1
    return spans[lo:hi + 1]


def negation_and_hypothesis(doc, index, start, end, sent, clauses, clause, draft) -> None:
    cues = index.cues_in(sent, ("NEGATION", "PSEUDO", "HYPOTHETICAL", "PERMISSIVE", "MAX"))
    blocked = set()
    t = token_table(doc)
    lower = t.lower
    for c in cues:
        if c.label_ in ("PSEUDO", "PERMISSIVE", "MAX"):
            blocked.update(range(c.start, c.end))
        elif c.label_ == "HYPOTHETICAL" and c.text.lower() in ("may", "can") and c.end + 1 < sent.end:
            # "may be moved up to 15 mg", "may be switched": an instruction in the passive, not a hypothesis
            verb = lower[c.end + 1]
            if lower[c.end] == "be" and t.is_alpha[c.end + 1] and (verb.endswith("ed") or verb in PARTICIPLES):
                blocked.add(c.start)
    for c in cues:
        if c.label_ != "NEGATION" or c.start in blocked:
            continue
        if clauses[c.start - sent.start] == clause and c.end <= start and start - c.end <= 8:
            draft.negated = True
            draft.explain["negated"] = f"'{c.text}' before it in its clause"
            break
    if not draft.negated:
        # "10 mg (of zolpidem) is not the recommended dose"
        after = []
        for k in range(end, min(sent.end, end + 7)):
            if t.is_punct[k]:
                break
            after.append(lower[k])
        for k in range(len(after) - 1):
            if after[k] in ("is", "was", "are", "'s") and after[k + 1] in ("not", "n't", "never"):
                draft.negated = True
                draft.explain["negated"] = f"'{after[k]} {after[k + 1]}' right after it"
                break
            if after[k] not in ("of", "the") and not index.drugs_between(end + k, end + k + 1):
                break
    for c in cues:
        if c.label_ != "HYPOTHETICAL" or c.start in blocked:
            continue
        whole_sentence = c.text.lower() in ("if", "unless", "in case", "should you", "in the event") and c.start - sent.start <= 1
        # "If A, B, and C": the condition covers A and its main clause B, not a clause joined after
        if (whole_sentence and clause <= clauses[c.start - sent.start] + 1) or clauses[c.start - sent.start] == clause:
            if c.text.lower() in ("if", "unless", "whether", "in case") and not whole_sentence and c.start > end:
                continue  # "take 1 mg if ..." : the condition is on what follows, not on the dose
            draft.hypothetical = True
            draft.explain["hypothetical"] = f"'{c.text}' {'opens the sentence' if whole_sentence else 'in its clause'}"
            break


def citation(doc, index, sent, draft) -> None:
    cues = index.cues_in(sent, ("CITATION",))
    if cues:
        draft.cited = True
        draft.explain["cited"] = f"'{cues[0].text}'"
        return
    if index.linked(sent.start_char, sent.end_char):
        draft.cited = True
        draft.explain["cited"] = "a link in the sentence"
