"""The rule engine: YAML rule packs, selectors, and the checks they define."""

from .loader import RuleSet, load_rules
from .model import Pack, Rule

__all__ = ["Pack", "Rule", "RuleSet", "load_rules"]
