"""Ranking skills for a prompt, erring on the side of loading nothing.

Every loaded skill costs context, so a false match is worse than a missed one (the
model can still call the ``skill`` tool itself). A skill matches a prompt when:

- the prompt starts with ``/skill-name`` (an explicit command: always wins), or
- one of its ``triggers`` appears in the prompt as a phrase, or
- at least two of its description's distinctive terms appear in the prompt.

"Distinctive" is measured across the installed skills (inverse document
frequency): a word in every description counts for little. Words are compared
after lowercasing, dropping common English and generic coding verbs, and a light
stemming (``tables`` → ``table``), so the matcher needs no model and no network.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from tau_cli.skills.skill import Skill

MatchReason = Literal["command", "trigger", "description"]

_WORD = re.compile(r"[a-z0-9]+")
_COMMAND = re.compile(r"^/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\s|$)")
_STOP_WORDS = """a about after again all also am an and any are as at be been before being both but
    by can could did do does doing done for from had has have having he her here his how i
    if in into is it its just me more most my no nor not now of off on once only or other
    our out over own please same she should so some such than that the their them then
    there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours way thing things
    add make use using write create build fix get set update change help need want new
    file files code work works run something"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class SkillMatch:
    """A skill chosen for a prompt, and why (for the event the UI shows)."""

    skill: Skill
    score: float
    reason: MatchReason
    matched: tuple[str, ...]
    """The triggers that matched as the skill wrote them, or else the shared terms
    (lowercased and stemmed)."""


class SkillMatcher:
    """Scores prompts against a fixed set of skills; build it once per catalog."""

    def __init__(self, skills: Iterable[Skill], *, threshold: float = 1.0) -> None:
        self._skills = sorted(skills, key=lambda s: s.name)
        self._threshold = threshold
        self._triggers = {
            s.name: [(t, terms) for t in s.triggers if (terms := _terms(t))] for s in self._skills
        }
        self._vocab = {s.name: set(_terms(_describe(s))) for s in self._skills}
        df = Counter(term for vocab in self._vocab.values() for term in vocab)
        total = max(len(self._skills), 1)
        self._weight = {
            term: math.log(1 + total / count) / math.log(1 + total) for term, count in df.items()
        }

    def match(self, prompt: str, *, limit: int = 3) -> list[SkillMatch]:
        """Skills for ``prompt``, best first; at most ``limit``, often none."""
        command = _COMMAND.match(prompt.strip())
        if command:
            named = next((s for s in self._skills if s.name == command.group(1)), None)
            return [SkillMatch(named, math.inf, "command", ())] if named else []
        words = _terms(prompt)
        present = set(words)
        found: list[SkillMatch] = []
        for skill in self._skills:
            hits = [t for t, terms in self._triggers[skill.name] if _contains(words, terms)]
            shared = sorted(present & self._vocab[skill.name])
            score = len(hits) + 0.5 * sum(self._weight[t] for t in shared)
            if score < self._threshold:
                continue
            reason: MatchReason = "trigger" if hits else "description"
            found.append(SkillMatch(skill, score, reason, tuple(hits or shared)))
        found.sort(key=lambda m: (-m.score, m.skill.name))
        return found[:limit]


def _describe(skill: Skill) -> str:
    return " ".join([skill.name.replace("-", " "), skill.description, skill.when_to_use])


def _terms(text: str) -> list[str]:
    return [
        _stem(word)
        for word in _WORD.findall(text.lower())
        if word not in _STOP and not word.isdigit() and len(word) > 1
    ]


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _contains(words: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(words[i : i + size] == phrase for i in range(len(words) - size + 1))
