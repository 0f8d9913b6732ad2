"""Stage 7: the facts that differ between two aligned sentences (numbers, names, negation, antonyms, attribution).

Everything is rule based and works on one sentence pair at a time. Each sentence is analysed once (cached, since an
aligned sentence often meets several partners) into mentions with character spans; the two analyses are then matched.
The rules lean towards precision: a "changed" fact needs evidence that both sides fill the same slot, otherwise the
difference is reported as dropped/added, which downstream stages do not treat as a contradiction.
"""

from .analysis import find_divergences, is_contradiction, same_attribution
from .facts import Fact, sentence_facts

__all__ = ["Fact", "find_divergences", "is_contradiction", "same_attribution", "sentence_facts"]
