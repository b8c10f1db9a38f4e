"""Extraction measured against gold annotations, with floors pinned.

- tests/gold/: 24 short articles in many house styles, annotated by hand (g1_*, g2_*);
- tests/heldout/: 8 long articles in the scraped-page style of real published ones, annotated
  without looking at the extractor, and first scored before any change was made for them;
- ../shared/articles: two real published articles with the team's gold.

Scores come from the team's scorer (../shared/tools/eval_claims.py). Floors sit a little below
today's scores so that a change that makes extraction worse fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

GOLD = Path(__file__).resolve().parent / "gold"
HELDOUT = Path(__file__).resolve().parent / "heldout"


def _score(auditor, eval_claims, folder: Path, tmp_path: Path) -> dict:
    from auditor.runner import Selection

    documents = auditor.read(Selection([str(folder)], exclude=["*.yaml"]), lambda m: None)
    lines = [json.dumps(c.to_record()) for _d, _doc, claims in auditor.claims(documents) for c in claims]
    pred = tmp_path / "claims.jsonl"
    pred.write_text("\n".join(lines) + "\n", encoding="utf-8")
    articles = eval_claims.load_gold(str(folder))
    preds = eval_claims.load_pred(str(pred), articles)
    n_gold = n_pred = n_match = 0
    fields = {"attribute": [0, 0], "drug": [0, 0], "per": [0, 0]}
    for name, art in articles.items():
        pairs, _used = eval_claims.match(art["claims"], preds[name])
        optional = sum(1 for g, _ in pairs if g["optional"])
        n_gold += sum(1 for g in art["claims"] if not g["optional"])
        n_pred += len(preds[name]) - optional
        n_match += len(pairs) - optional
        for g, p in pairs:
            if g["optional"]:
                continue
            for field, tally in fields.items():
                if g.get(field) is None:
                    continue
                tally[1] += 1
                ok = eval_claims.same_attribute(g[field], p.get(field)) if field == "attribute" else g[field] == p.get(field)
                tally[0] += ok
    precision = n_match / n_pred if n_pred else 0.0
    recall = n_match / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "gold": n_gold,
            **{f"{k}_accuracy": v[0] / v[1] for k, v in fields.items() if v[1]}}


def test_own_gold_set(auditor, eval_claims, tmp_path):
    scores = _score(auditor, eval_claims, GOLD, tmp_path)
    assert scores["gold"] >= 300
    assert scores["f1"] >= 0.95, scores
    assert scores["precision"] >= 0.95, scores
    assert scores["attribute_accuracy"] >= 0.88, scores
    assert scores["drug_accuracy"] >= 0.95, scores


def test_heldout_scraped_articles(auditor, eval_claims, tmp_path):
    scores = _score(auditor, eval_claims, HELDOUT, tmp_path)
    assert scores["gold"] >= 350
    assert scores["f1"] >= 0.96, scores
    assert scores["attribute_accuracy"] >= 0.91, scores


def test_shared_real_articles(auditor, eval_claims, shared_articles, tmp_path):
    scores = _score(auditor, eval_claims, shared_articles, tmp_path)
    assert scores["f1"] >= 0.97, scores
    assert scores["attribute_accuracy"] >= 0.95, scores
    assert scores["drug_accuracy"] >= 0.95, scores


@pytest.mark.parametrize("name", sorted(p.name for p in GOLD.glob("*.yaml")))
def test_every_gold_file_loads(eval_claims, name):
    """Each gold quote is found in its article (the scorer exits on a missing quote)."""
    articles = eval_claims.load_gold(str(GOLD))
    stem = name.rsplit(".", 1)[0]
    assert any(a.startswith(stem + ".") for a in articles)
