"""Who and what a claim is about: drug, indication, population, formulation, and whether it
is negated, hypothetical or cited (in the manner of ConText: a trigger and a scope that ends at
a clause boundary).
"""

from __future__ import annotations

from spacy.tokens import Span

from .words import (
    CONTRASTS,
    EXTENDED_CODES,
    EXTENDED_PHRASES,
    FREQ_NUMBER_WORDS,
    PARTICIPLES,
)


def resolve_context(doc, index, start, end, sent, clauses, clause, draft) -> None:
    draft.heading = heading_text(index, doc[start].idx)
    draft.formulation = formulation(doc, index, start, sent, draft.heading)
    resolve_drug(doc, index, start, end, sent, clauses, clause, draft)
    draft.indication = nearest_term(doc, index, index.indications, start, sent, clauses, clause, draft, "indication")
    draft.population = nearest_term(doc, index, index.populations, start, sent, clauses, clause, draft, "population")
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
        for m in mentions:
            if 0 <= m.start - end <= 2 and all(t.lower_ in ("of", "(", "the", "for") for t in doc[end:m.start]):
                chosen, how = m, "named right after the value"
                break
            tail = doc[end:m.start]
            if 0 < len(tail) <= 7 and tail[-1].lower_ == "for" and not any(
                    t.like_num and t.lower_ not in FREQ_NUMBER_WORDS for t in tail) and not index.drugs_in(tail):
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
            same = [m for m in mentions if clauses[m.start - sent.start] == clause and not comparator(doc, m)]
            if same:
                chosen, how = same[0], "named in the same clause"
        if chosen is None:
            primary = [m for m in mentions if not comparator(doc, m)]
            if primary:
                chosen, how = primary[0], "named in the same sentence"
    inherited = chosen is None
    if chosen is None:
        for header in index.header_spans(doc[start].idx):
            names = index.drugs_in(header)
            if names:
                chosen, how = names[0], "named in its table header"
                inherited = False
                break
    if chosen is None:
        b = index.block_index(doc[start].idx)
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


def formulation(doc, index, start, sent, heading: str | None) -> str | None:
    """ "Xanax XR", "extended-release", "Ambien CR" in the sentence, its table headers or its heading."""
    places = [sent, *index.header_spans(doc[start].idx)]
    for span in places:
        words = [t.text for t in span]
        lowered = " ".join(w.lower() for w in words)
        if any(w in EXTENDED_CODES for w in words) or any(p in lowered for p in EXTENDED_PHRASES):
            return "extended-release"
    if heading and (any(w in EXTENDED_CODES for w in heading.replace("(", " ").replace(")", " ").split())
                    or any(p in heading.lower() for p in EXTENDED_PHRASES)):
        return "extended-release"
    return None


def specific(mentions: list[Span]) -> Span:
    """The first drug named, before any class."""
    return next((m for m in mentions if m.id_ != "class"), mentions[0])


def comparator(doc, mention: Span) -> bool:
    """ "than diazepam", "unlike alprazolam", "compared with lorazepam": a drug named for contrast."""
    prev = [t.lower_ for t in doc[max(0, mention.start - 2):mention.start]]
    if set(prev) & {"than", "unlike", "versus", "vs", "vs.", "compared", "like", "including", "include", "includes"}:
        return True
    # "someone who has never taken a benzodiazepine": a class named in general, not the subject
    return mention.id_ == "class" and bool(prev) and prev[-1] in ("a", "an", "another", "any", "other")


def nearest_term(doc, index, spans, start, sent, clauses, clause, draft, key) -> str | None:
    in_sent = index.terms_at(spans, sent.start_char, sent.end_char)
    # "for reasons other than sleep": a negated term says nothing about this claim
    in_sent = [s for s in in_sent if not ({t.lower_ for t in doc[max(sent.start, s.start - 2):s.start]} & {"than", "not", "without"})]
    # a term after a contrast speaks of its own clause: "starts at 2-3 mg; older adults begin at 1 mg"
    in_sent = [s for s in in_sent if s.end <= start or not any(
        t.text == ";" or t.lower_ in CONTRASTS for t in doc[start:s.start])]
    if in_sent:
        before = [s for s in in_sent if s.end <= start]
        chosen = before[-1] if before else in_sent[0]
        group = coordinated(doc, in_sent, chosen)
        if key == "indication":
            draft.indications = list(dict.fromkeys(s.label_ for s in group))
        draft.explain[key] = f"'{group[0].text}' in the sentence" + (
            f" (with {', '.join(repr(s.text) for s in group[1:])})" if len(group) > 1 else "")
        return group[0].label_
    for header in reversed(index.header_spans(doc[start].idx)):
        found = index.terms_at(spans, header.start_char, header.end_char)
        if found:
            draft.explain[key] = f"'{found[0].text}' in its table header"
            return found[0].label_
    # a list introduced by "... for panic disorder follows this pattern:" carries its context
    b = index.block_index(doc[start].idx)
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
                    draft.explain[key] = f"'{found[-1].text}' in the list's introduction"
                    return found[-1].label_
                break
            if len(text) > 160 or blk.kind not in ("list_item", "paragraph", "table_cell"):
                break
            j -= 1
            steps += 1
        h = index.heading_block[b]
        while h >= 0:
            hb = index.blocks[h]
            found = index.terms_at(spans, hb.start, hb.end)
            if found:
                draft.explain[key] = f"'{found[0].text}' in the heading '{index.text[hb.start:hb.end].strip()[:40]}'"
                return found[0].label_
            h = index.parent_heading[h]
    # an article whose title names one indication speaks of it throughout
    title = index.title_terms(spans)
    if len({s.label_ for s in title}) == 1:
        draft.explain[key] = f"'{title[0].text}' in the title"
        return title[0].label_
    return None


def coordinated(doc, spans: list[Span], chosen: Span) -> list[Span]:
    """ "panic disorder, PTSD and social anxiety": the terms listed together with ``chosen``."""
    i = spans.index(chosen)
    lo = hi = i
    joiners = {",", "and", "or", "/", "&", "as", "well"}
    while lo > 0 and all(t.lower_ in joiners for t in doc[spans[lo - 1].end:spans[lo].start]):
        lo -= 1
    while hi + 1 < len(spans) and all(t.lower_ in joiners for t in doc[spans[hi].end:spans[hi + 1].start]):
        hi += 1
    return spans[lo:hi + 1]


def negation_and_hypothesis(doc, index, start, end, sent, clauses, clause, draft) -> None:
    cues = index.cues_in(sent, ("NEGATION", "PSEUDO", "HYPOTHETICAL", "PERMISSIVE", "MAX"))
    blocked = set()
    for c in cues:
        if c.label_ in ("PSEUDO", "PERMISSIVE", "MAX"):
            blocked.update(range(c.start, c.end))
        elif c.label_ == "HYPOTHETICAL" and c.text.lower() in ("may", "can") and c.end + 1 < sent.end:
            # "may be moved up to 15 mg", "may be switched": an instruction in the passive, not a hypothesis
            be, verb = doc[c.end], doc[c.end + 1]
            if be.lower_ == "be" and verb.is_alpha and (verb.lower_.endswith("ed") or verb.lower_ in PARTICIPLES):
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
        for t in doc[end:min(sent.end, end + 7)]:
            if t.is_punct:
                break
            after.append(t.lower_)
        for k in range(len(after) - 1):
            if after[k] in ("is", "was", "are", "'s") and after[k + 1] in ("not", "n't", "never"):
                draft.negated = True
                draft.explain["negated"] = f"'{after[k]} {after[k + 1]}' right after it"
                break
            if after[k] not in ("of", "the") and not index.drugs_in(doc[end + k:end + k + 1]):
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
