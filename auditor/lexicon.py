"""Lexicons: drug names (generic, brands, class), indications with their hierarchy, populations
(with subgroups such as women and men under adults), conditions that change dosing (hepatic and
renal impairment, hemodialysis) and formulations or products of a molecule with their own label
(extended-release, rectal gel, nasal spray, sublingual tablets, gabapentin enacarbil).

They live as YAML under ``rules/lexicon/`` (and under ``lexicon/`` of any user rules
directory), so that editors can extend them without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import AuditorError
from .yamlio import Memo, YamlDocument, load_yaml


@dataclass
class Lexicon:
    """Terms the pipeline recognizes, and the hierarchies rules select on."""

    drug_terms: dict[str, str] = field(default_factory=dict)  # lowercased term -> generic
    drug_class: dict[str, str] = field(default_factory=dict)  # generic -> class name
    class_terms: dict[str, str] = field(default_factory=dict)  # lowercased term -> class name
    class_parent: dict[str, str] = field(default_factory=dict)  # class -> parent class
    indication_terms: dict[str, str] = field(default_factory=dict)  # lowercased term -> indication
    indication_parent: dict[str, str] = field(default_factory=dict)
    population_terms: dict[str, str] = field(default_factory=dict)  # lowercased term -> population
    population_parent: dict[str, str] = field(default_factory=dict)  # subgroup -> population (women -> adult)
    condition_terms: dict[str, str] = field(default_factory=dict)  # lowercased term -> condition
    condition_parent: dict[str, str] = field(default_factory=dict)  # hemodialysis -> renal impairment
    formulation_terms: dict[str, str] = field(default_factory=dict)  # lowercased term -> formulation
    acronyms: set[str] = field(default_factory=set)  # lowercased terms written in capitals
    spellings: dict[str, str] = field(default_factory=dict)  # lowercased misspelling -> the word meant
    sources: list[str] = field(default_factory=list)
    # the class names of ``class_terms``, worked out on first use (``_add`` clears it)
    _class_names: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    # -- hierarchy -------------------------------------------------------------------
    def indication_is_a(self, indication: str | None, ancestor: str) -> bool:
        """True when ``indication`` is ``ancestor`` or a kind of it (panic disorder is anxiety)."""
        seen = set()
        while indication is not None and indication not in seen:
            if indication == ancestor:
                return True
            seen.add(indication)
            indication = self.indication_parent.get(indication)
        return False

    def population_is_a(self, population: str | None, ancestor: str) -> bool:
        """True when ``population`` is ``ancestor`` or a subgroup of it (women are adults)."""
        return _is_a(self.population_parent, population, ancestor)

    def condition_is_a(self, condition: str | None, ancestor: str) -> bool:
        """True when ``condition`` is ``ancestor`` or a kind of it (hemodialysis is renal impairment)."""
        return _is_a(self.condition_parent, condition, ancestor)

    def classes_of(self, drug: str | None) -> list[str]:
        """The classes a drug (or class) belongs to, nearest first."""
        out: list[str] = []
        cls = self.drug_class.get(drug or "") or self.class_parent.get(drug or "")
        while cls and cls not in out:
            out.append(cls)
            cls = self.class_parent.get(cls)
        return out

    def is_class(self, name: str | None) -> bool:
        if name is None:
            return False
        if self._class_names is None:
            self._class_names = frozenset(self.class_terms.values())
        return name in self.class_parent or name in self._class_names

    # -- loading ---------------------------------------------------------------------
    def state(self) -> dict[str, object]:
        """Every field, as JSON values (``from_state`` reads them back)."""
        return {name: sorted(value) if isinstance(value, set) else value
                for name, value in self.__dict__.items() if not name.startswith("_")}

    @classmethod
    def from_state(cls, state: object) -> Lexicon | None:
        """The lexicon of a ``state``, or None when it is not one (then the files are read)."""
        names = [name for name in cls.__dataclass_fields__ if not name.startswith("_")]
        if not isinstance(state, dict) or sorted(state) != sorted(names):
            return None
        for name in names:
            value = state[name]
            if name in ("acronyms", "sources"):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    return None
            elif not isinstance(value, dict) or not all(isinstance(k, str) and (isinstance(v, str) or v is None)
                                                        for k, v in value.items()):
                return None
        return cls(**{**state, "acronyms": set(state["acronyms"])})

    def add_file(self, path: Path, memo: Memo | None = None) -> None:
        key = memo.key(path) if memo is not None else None
        found = memo.get("lexicon", key) if memo is not None and key else None
        doc = YamlDocument(str(path), found["data"], None) if found is not None else load_yaml(path)
        data = doc.data
        self._add(doc, data, path)
        if memo is not None and key and found is None:
            memo.put("lexicon", key, {"data": data})

    def _add(self, doc: YamlDocument, data: object, path: Path) -> None:
        self._class_names = None
        if data is None:
            return
        if not isinstance(data, dict):
            raise doc.error((), "a lexicon file must be a mapping with drugs, classes, indications, populations, "
                                "conditions, formulations or spellings")
        known = {"drugs", "classes", "indications", "populations", "conditions", "formulations", "spellings"}
        for key in data:
            if key not in known:
                raise doc.error((key,), f"unknown key '{key}' (expected one of {', '.join(sorted(known))})")
        for i, entry in enumerate(_entries(doc, "drugs")):
            generic = _name(doc, ("drugs", i), entry, "generic")
            brands = _terms(doc, ("drugs", i), entry, "brands")
            self.acronyms |= _acronyms(brands)
            for term in [generic, *brands]:
                self.drug_terms[term.lower()] = generic
            if entry.get("class"):
                self.drug_class[generic] = str(entry["class"]).lower()
        for i, entry in enumerate(_entries(doc, "classes")):
            name = _name(doc, ("classes", i), entry, "name")
            terms = _terms(doc, ("classes", i), entry, "terms")
            self.acronyms |= _acronyms(terms)
            for term in [name, *terms]:
                self.class_terms[term.lower()] = name
            if entry.get("parent"):
                self.class_parent[name] = str(entry["parent"]).lower()
            else:
                self.class_parent.setdefault(name, None)  # type: ignore[arg-type]
        # sections of named terms: (section, term -> name, name -> parent or None, whether the name is a term)
        named = (("indications", self.indication_terms, self.indication_parent, True),
                 ("populations", self.population_terms, self.population_parent, False),
                 ("conditions", self.condition_terms, self.condition_parent, True),
                 ("formulations", self.formulation_terms, None, True))
        for section, term_names, parents, name_is_term in named:
            for i, entry in enumerate(_entries(doc, section)):
                name = _name(doc, (section, i), entry, "name")
                terms = _terms(doc, (section, i), entry, "terms")
                self.acronyms |= _acronyms(terms)
                for term in [name, *terms] if name_is_term else terms:
                    term_names[term.lower()] = name
                if parents is not None and entry.get("parent"):
                    parents[name] = str(entry["parent"]).lower()
        spellings = data.get("spellings") or {}
        if not isinstance(spellings, dict):
            raise doc.error(("spellings",), "'spellings' must map a word to a list of its misspellings")
        for word in spellings:
            if not isinstance(word, str) or " " in word.strip() or not word.strip():
                raise doc.error(("spellings", word), "a spelling entry must be one word")
            for variant in _terms(doc, ("spellings", word), spellings, word):
                if " " in variant.strip():
                    raise doc.error(("spellings", word), f"'{variant}' must be one word")
                self.spellings[variant.strip().lower()] = word.strip().lower()
        self.sources.append(str(path))


def _is_a(parents: dict[str, str], name: str | None, ancestor: str) -> bool:
    seen = set()
    while name is not None and name not in seen:
        if name == ancestor:
            return True
        seen.add(name)
        name = parents.get(name)
    return False


def _entries(doc: YamlDocument, key: str) -> list[dict]:
    entries = doc.data.get(key) or []
    if not isinstance(entries, list):
        raise doc.error((key,), f"'{key}' must be a list")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise doc.error((key, i), f"each entry of '{key}' must be a mapping")
    return entries


def _name(doc: YamlDocument, where: tuple, entry: dict, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise doc.error(where, f"missing or empty '{key}'")
    return value.strip().lower()


def _terms(doc: YamlDocument, where: tuple, entry: dict, key: str) -> list[str]:
    value = entry.get(key) or []
    if not isinstance(value, list) or not all(isinstance(t, (str, int)) for t in value):
        raise doc.error((*where, key), f"'{key}' must be a list of strings")
    return [str(t) for t in value]


def _acronyms(terms: list[str]) -> set[str]:
    """Short all-capital terms ("GAD", "SSRIs") are matched only in capitals."""
    return {t.lower() for t in terms if len(t) <= 6 and t.rstrip("s").isupper()}


def lexicon_files(paths: list[Path]) -> list[Path]:
    """The lexicon files of rules directories (their ``lexicon/*.yaml``) or lexicon files, in order."""
    files: list[Path] = []
    for item in paths:
        item = Path(item)
        if item.is_file():
            files.append(item)
            continue
        folder = item / "lexicon"
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")))
    return files


def load_lexicon(paths: list[Path], memo: Memo | None = None) -> Lexicon:
    """Merge lexicons: for a rules directory its ``lexicon/*.yaml``, for a file the file itself.

    Later paths extend (and may override) earlier ones. ``memo``: see ``engine.load_rules``;
    the merged lexicon is remembered too, by the bytes of all its files, so that a run whose
    lexicon files are unchanged neither reads nor merges them again.
    """
    files = lexicon_files(paths)
    whole = _memo_key(files, memo)
    if whole is not None:
        lexicon = Lexicon.from_state(memo.get("lexicon-state", whole))  # type: ignore[union-attr]
        if lexicon is not None and lexicon.drug_terms:
            return lexicon
    lexicon = Lexicon()
    for path in files:
        lexicon.add_file(path, memo)
    if not lexicon.drug_terms:
        raise AuditorError("no drug lexicon found: expected rules/lexicon/drugs.yaml in a rules directory")
    if whole is not None:
        memo.put("lexicon-state", whole, lexicon.state())  # type: ignore[union-attr]
    return lexicon


def _memo_key(files: list[Path], memo: Memo | None) -> str | None:
    """The memo key of the merged lexicon of ``files`` (None: no memo, or a file it cannot key)."""
    if memo is None:
        return None
    import hashlib

    h = hashlib.sha256(b"merged lexicon\0")
    for path in files:
        key = memo.key(path)
        if key is None:
            return None
        h.update(f"{path}\0{key}\0".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


_LEXICONS: dict[tuple[str, ...], Lexicon] = {}


def cached_lexicon(paths: tuple[str, ...], memo: Memo | None = None) -> Lexicon:
    """Load (once per set of paths) the lexicon of the given rules directories or lexicon files."""
    found = _LEXICONS.get(paths)
    if found is None:
        from .paths import bundled_rules_dir

        found = load_lexicon([Path(p) for p in paths] if paths else [bundled_rules_dir()], memo)
        if len(_LEXICONS) >= 8:
            _LEXICONS.pop(next(iter(_LEXICONS)))
        _LEXICONS[paths] = found
    return found
