"""Drug-label records as sections of text: the input of ``auditor rules draft``.

Two formats are read:

- an openFDA drug-label record: the JSON the openFDA label endpoint returns
  (``{"meta": ..., "results": [label]}``) or one label object. Each section is a list of
  strings whose headings are flattened into the text ("2.1 Recommended Dosage Administer ...");
  the numbered headings are found again by ``split_numbered``;
- a DailyMed SPL XML file (HL7 v3 Structured Product Labeling): sections carry a LOINC code,
  a ``<title>`` ("2.1 Recommended Dosage") and nested subsections. It is parsed with
  defusedxml, so entity expansion and external entities are refused.

Only the sections a pack is drafted from are kept: Dosage and Administration and Clinical
Pharmacology (with Pharmacokinetics).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import AuditorError

# openFDA fields, in label order, and the LOINC section codes of the same sections in SPL.
OPENFDA_FIELDS = ("dosage_and_administration", "clinical_pharmacology", "pharmacokinetics")
SPL_CODES = {"34068-7": "dosage_and_administration", "34090-1": "clinical_pharmacology",
             "43682-4": "pharmacokinetics"}
MAX_LABEL_BYTES = 50 * 1024 * 1024

# A numbered heading inside flattened text: "2.1 Recommended Dosage", also "2. 3 Recommended"
# (a stray space in some records). Cross-references "( 2.1 )" are followed by ")" or ",", and
# numbers with units ("2.5 mg") by a lowercase word, so neither matches.
_NUMBERED = re.compile(r"(?:^|(?<=[\s.;:]))(\d{1,2})\.\s?(\d{1,2})(?:\.(\d{1,2}))?\.?\s+(?=[A-Z])(?!L\b|L/|mL\b|IU\b)")
_TOP = re.compile(r"^\s*(\d{1,2})\.?\s+([A-Z][A-Z &,/-]+?)(?=\s+(?:[A-Z][a-z]|\d|[^\w\s])|\s*$)")
_SMALL = {"and", "or", "of", "for", "in", "with", "the", "to", "a", "an", "on", "by", "at", "vs", "&", "-"}


@dataclass
class LabelSection:
    """One section of a label: its number ("2.1"), heading and text."""

    number: str
    heading: str
    text: str
    field: str  # the openFDA field (or SPL section kind) it came from

    @property
    def name(self) -> str:
        """How a rule cites the section: "2.1 Recommended Dosage", or the section's kind."""
        return f"{self.number} {self.heading}".strip() or self.field.replace("_", " ").upper()


@dataclass
class LabelRecord:
    """What a draft needs of a label: the drug, the product, its version, the sections."""

    path: str
    generic: str
    title: str
    brand: str | None = None
    set_id: str | None = None
    version: str | None = None
    effective_time: str | None = None
    url: str | None = None
    sections: list[LabelSection] = field(default_factory=list)

    @property
    def version_note(self) -> str:
        parts = [f"set id {self.set_id}" if self.set_id else None,
                 f"version {self.version}" if self.version else None,
                 f"effective {_date(self.effective_time)}" if self.effective_time else None]
        return ", ".join(p for p in parts if p) or "version not stated in the record"


def read_label(path: str) -> LabelRecord:
    """Read an openFDA JSON record or a DailyMed SPL XML file; AuditorError (exit 2) if neither."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise AuditorError(f"{path}: cannot read the label: {exc.strerror or exc}") from None
    if size > MAX_LABEL_BYTES:
        raise AuditorError(f"{path}: label file is larger than {MAX_LABEL_BYTES // (1024 * 1024)} MB")
    data = p.read_bytes()
    head = data[:200].lstrip()
    if head.startswith(b"<"):
        return _read_spl(path, data)
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AuditorError(f"{path}: not an openFDA label record (JSON) or SPL XML file: {exc}") from None
    return _read_openfda(path, record)


# -- openFDA ---------------------------------------------------------------------------
def _read_openfda(path: str, record: Any) -> LabelRecord:
    label = record
    if isinstance(record, dict) and isinstance(record.get("results"), list):
        if not record["results"]:
            raise AuditorError(f"{path}: the openFDA record has no results")
        label = record["results"][0]
    if not isinstance(label, dict) or not any(k in label for k in OPENFDA_FIELDS):
        raise AuditorError(f"{path}: no dosage_and_administration or clinical_pharmacology section in the record")
    openfda = label.get("openfda") or {}
    generic = _first(openfda.get("generic_name")) or _first(openfda.get("substance_name")) or ""
    brand = _first(openfda.get("brand_name"))
    set_id = label.get("set_id")
    out = LabelRecord(
        path=path, generic=_generic(generic), title=_title(brand, generic), brand=_brand(brand),
        set_id=set_id, version=_str(label.get("version")), effective_time=_str(label.get("effective_time")),
        url=f'https://api.fda.gov/drug/label.json?search=set_id:"{set_id}"' if set_id else None,
    )
    seen: set[str] = set()
    for name in OPENFDA_FIELDS:
        for text in label.get(name) or []:
            text = " ".join(str(text).split())
            if not text or text in seen:  # pharmacokinetics repeats the end of clinical_pharmacology
                continue
            seen.add(text)
            out.sections.extend(split_numbered(text, name))
    # clinical_pharmacology usually contains pharmacokinetics: keep one copy of each section
    out.sections = _dedupe_sections(out.sections)
    return out


def split_numbered(text: str, field_name: str) -> list[LabelSection]:
    """Cut flattened label text at its numbered headings ("2.1 Recommended Dosage ...")."""
    cuts = [m for m in _NUMBERED.finditer(text)]
    sections = []
    top = _TOP.match(text)
    start = 0
    number, heading = "", ""
    if top:
        number, heading = top.group(1), top.group(2).strip()
        start = top.end()
    for m in cuts:
        if m.start() < start:
            continue
        body = text[start:m.start()].strip()
        if body:
            sections.append(LabelSection(number, heading, body, field_name))
        number = ".".join(g for g in m.groups() if g)
        heading, consumed = _heading(text[m.end():])
        start = m.end() + consumed
    body = text[start:].strip()
    if body:
        sections.append(LabelSection(number, heading, body, field_name))
    return sections


def _heading(rest: str) -> tuple[str, int]:
    """The Title Case heading at the start of ``rest`` and how many characters it takes.

    Flattened text runs a heading into its first sentence ("Recommended Dosage Administer
    CELEXA once daily"): the heading is the run of capitalized and small words, less the last
    capitalized word, which starts the sentence (an all-capital word such as a brand name
    belongs to the word before it).
    """
    words = list(re.finditer(r"\S+", rest))
    run = []
    for w in words:
        token = w.group()
        if token[0].isupper() or token.lower() in _SMALL or token[0].isdigit():
            run.append(w)
            if len(run) > 12:
                break
            continue
        break
    while run and run[-1].group() in _SMALL:
        run.pop()
    if len(run) <= 1:
        return "", 0
    # drop the sentence start: the last capitalized word that is not all capitals
    cut = len(run) - 1
    while cut > 0 and run[cut].group().isupper() and len(run[cut].group()) > 1:
        cut -= 1
    if cut <= 0:
        return "", 0
    end = run[cut - 1].end()
    return rest[:end].strip(), end


def _dedupe_sections(sections: list[LabelSection]) -> list[LabelSection]:
    out, seen = [], set()
    for s in sections:
        key = (s.number, s.text[:200])
        if key in seen:
            continue
        seen.add(key)
        out.append(s)
    return out


# -- SPL XML -----------------------------------------------------------------------------
_HL7 = "{urn:hl7-org:v3}"


def _read_spl(path: str, data: bytes) -> LabelRecord:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(data)
    except DefusedXmlException as exc:
        raise AuditorError(f"{path}: refused: the XML uses {type(exc).__name__} (entities are not allowed)") from None
    except ElementTree.ParseError as exc:
        raise AuditorError(f"{path}: not well-formed XML: {exc}") from None
    ns = _HL7 if root.tag.startswith(_HL7) else ""
    generic = root.findtext(f".//{ns}genericMedicine/{ns}name") or root.findtext(f".//{ns}activeMoiety/{ns}name") or ""
    brand = root.findtext(f".//{ns}manufacturedProduct/{ns}name")
    set_id_el = root.find(f"{ns}setId")
    version_el = root.find(f"{ns}versionNumber")
    time_el = root.find(f"{ns}effectiveTime")
    set_id = set_id_el.get("root") if set_id_el is not None else None
    out = LabelRecord(
        path=path, generic=_generic(generic), title=_title(brand, generic), brand=_brand(brand), set_id=set_id,
        version=version_el.get("value") if version_el is not None else None,
        effective_time=time_el.get("value") if time_el is not None else None,
        url=f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={set_id}" if set_id else None,
    )
    for section in root.iter(f"{ns}section"):
        code = section.find(f"{ns}code")
        kind = SPL_CODES.get(code.get("code", "")) if code is not None else None
        if kind:
            _spl_sections(section, kind, ns, out.sections)
    out.sections = _dedupe_sections(out.sections)
    return out


def _spl_sections(section, kind: str, ns: str, out: list[LabelSection]) -> None:
    """A section and its subsections, each with its own title and its own text."""
    title = " ".join("".join(section.find(f"{ns}title").itertext()).split()) if section.find(f"{ns}title") is not None else ""
    m = re.match(r"(\d{1,2}(?:\.\d{1,2})*)\s+(.*)", title)
    number, heading = (m.group(1), m.group(2)) if m else ("", title)
    texts = []
    for child in section:
        if child.tag == f"{ns}text":
            texts.append(" ".join(_spl_text(child).split()))
    body = " ".join(t for t in texts if t)
    if body:
        out.append(LabelSection(number, heading, body, kind))
    for comp in section.findall(f"{ns}component/{ns}section"):
        _spl_sections(comp, kind, ns, out)


_SPL_BLOCKS = {"paragraph", "item", "td", "th", "tr", "br", "caption", "list", "table"}


def _spl_text(element) -> str:
    """The text of an SPL ``<text>`` element, with a space between paragraphs, items and cells."""
    parts = [element.text or ""]
    for child in element:
        local = child.tag.rsplit("}", 1)[-1]
        parts.append(_spl_text(child))
        if local in _SPL_BLOCKS:
            parts.append(" ")
        parts.append(child.tail or "")
    return "".join(parts)


# -- small helpers ---------------------------------------------------------------------
def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return str(value[0]) if value else None
    return None if value is None else str(value)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _generic(name: str) -> str:
    name = " ".join(name.lower().split())
    # salts are not part of the generic name a pack selects on
    for salt in (" hydrobromide", " hydrochloride", " tartrate", " succinate", " fumarate", " maleate",
                 " sodium", " potassium", " mesylate", " besylate", " citrate", " sulfate"):
        name = name.replace(salt, "")
    return name.strip()


def _brand(brand: str | None) -> str | None:
    """The trade name without a formulation word ("PRISTIQ EXTENDED-RELEASE" -> "Pristiq")."""
    if not brand:
        return None
    words = [w for w in brand.split() if w.lower() not in ("extended-release", "tablets", "capsules", "xr", "er", "cr")]
    return " ".join(w.capitalize() if w.isupper() else w for w in words) or None


def _title(brand: str | None, generic: str) -> str:
    generic_l = generic.lower()
    if brand and brand.lower() != generic_l:
        return f"{brand.upper()} ({generic_l})"
    return generic_l or "unknown drug"


def _date(value: str | None) -> str:
    if value and re.fullmatch(r"\d{8}", value):
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    return value or ""
