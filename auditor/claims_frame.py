"""Claims as a typed table: one row per CLAIMS.md record (needs pyarrow and pandas: the dask extra).

``COLUMNS`` are the record's keys with typed columns, the ``{"low", "high"}`` objects split
in two: ``value_low``/``value_high``, ``frequency_low``/``frequency_high`` (a single frequency
has both equal), ``daily_low``/``daily_high`` (null when the record's value is null), and
``indications`` a list of strings (every indication the claim is stated for). ``INTERNAL``
columns carry what the engine needs besides: the document's number in the run, the claim's
place in its document, the claim itself (pickled: the engine's processes run the same code) and the
consistency groups
it takes part in (``ConsistencyChecker.group_keys``, each as one string).
"""

from __future__ import annotations

import pickle
from typing import Any

import pandas as pd
import pyarrow as pa

from .claims import Claim

_STR, _INT, _FLOAT, _BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()

COLUMNS = pa.schema([
    ("path", _STR), ("line", _INT), ("column", _INT), ("end_line", _INT), ("end_column", _INT),
    ("quote", _STR), ("sentence", _STR), ("drug", _STR), ("attribute", _STR),
    ("value_low", _FLOAT), ("value_high", _FLOAT), ("unit", _STR), ("per", _STR),
    ("frequency_low", _FLOAT), ("frequency_high", _FLOAT), ("daily_low", _FLOAT), ("daily_high", _FLOAT),
    ("indication", _STR), ("indications", pa.list_(_STR)), ("population", _STR),
    ("negated", _BOOL), ("hypothetical", _BOOL), ("cited", _BOOL),
    ("effect", _STR), ("formulation", _STR),
])
INTERNAL = pa.schema([("document", _INT), ("position", _INT), ("claim", pa.binary()), ("groups", pa.list_(_STR))])
SCHEMA = pa.schema([*COLUMNS, *INTERNAL])


def record_row(claim: Claim) -> dict[str, Any]:
    """The typed row of a claim's CLAIMS.md record."""
    record = claim.to_record()
    row = {name: record.get(name) for name in COLUMNS.names}
    for key in ("value", "frequency", "daily"):
        pair = record[key]
        if isinstance(pair, (int, float)):
            pair = {"low": pair, "high": pair}
        row[f"{key}_low"] = None if pair is None else _float(pair["low"])
        row[f"{key}_high"] = None if pair is None else _float(pair["high"])
    row["indications"] = list(claim.indications)
    return row


def frame(claims: list[tuple[int, int, Claim, list[str]]]) -> pd.DataFrame:
    """The frame of ``(document number, position, claim, groups)``, typed by ``SCHEMA``."""
    rows = []
    for document, position, claim, groups in claims:
        row = record_row(claim)
        row.update(document=document, position=position, claim=pickle.dumps(claim, protocol=pickle.HIGHEST_PROTOCOL),
                   groups=groups)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=SCHEMA).to_pandas(types_mapper=pd.ArrowDtype)


def empty() -> pd.DataFrame:
    """A frame with no rows and every column typed (Dask's ``meta``)."""
    return SCHEMA.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def claims_of(rows: pd.DataFrame) -> list[Claim]:
    """The claims of a frame's rows, in run order."""
    ordered = rows.sort_values(["document", "position"], kind="stable")
    return [pickle.loads(data) for data in ordered["claim"]]


def _float(x: Any) -> float | None:
    return None if x is None else float(x)
