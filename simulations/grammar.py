"""A tiny generative grammar: templates with ``{symbol}`` slots filled from word lists.

A rule is a list of alternatives (strings that may hold further slots), a weighted list of
``(alternative, weight)`` pairs, or a function of the ``random.Random`` it is given (numbers,
names). ``{{`` and ``}}`` are literal braces. Templates are compiled once and cached, so an
expansion is a few list look-ups per slot.

>>> import random
>>> g = Grammar({"fruit": ["apple", "pear"], "n": lambda r: str(r.randint(2, 9))})
>>> g.render("{n} {fruit}s", random.Random(1))
'4 pears'
"""

from __future__ import annotations

import bisect
import random
import re
from collections.abc import Callable, Mapping, Sequence
from itertools import accumulate

Alternatives = Sequence[str] | Sequence[tuple[str, float]] | Callable[[random.Random], str]
_SLOT = re.compile(r"\{\{|\}\}|\{([a-z0-9_]+)\}")
Compiled = tuple[tuple[str, str | None], ...]


def compile_template(text: str) -> Compiled:
    """``(literal, symbol or None)`` pairs; a literal is followed by the slot after it."""
    parts: list[tuple[str, str | None]] = []
    literal: list[str] = []
    pos = 0
    for match in _SLOT.finditer(text):
        literal.append(text[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            literal.append(token[0])
            continue
        parts.append(("".join(literal), match.group(1)))
        literal = []
    literal.append(text[pos:])
    parts.append(("".join(literal), None))
    return tuple(parts)


def _escaped(text: str) -> str:
    """``text`` as a template's literal: its braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


class _Rule:
    __slots__ = ("cumulative", "func", "options")

    def __init__(self, alternatives: Alternatives) -> None:
        self.func: Callable[[random.Random], str] | None = None
        self.options: list[Compiled] = []
        self.cumulative: list[float] | None = None
        if callable(alternatives):
            self.func = alternatives
            return
        texts: list[str] = []
        weights: list[float] = []
        for alt in alternatives:
            if isinstance(alt, tuple):
                texts.append(alt[0])
                weights.append(float(alt[1]))
            else:
                texts.append(alt)
                weights.append(1.0)
        if not texts:
            raise ValueError("a rule needs at least one alternative")
        self.options = [compile_template(t) for t in texts]
        if len(set(weights)) > 1:
            self.cumulative = list(accumulate(weights))

    def pick(self, rng: random.Random) -> Compiled:
        if self.cumulative is None:
            return self.options[int(rng.random() * len(self.options))]
        x = rng.random() * self.cumulative[-1]
        return self.options[bisect.bisect_right(self.cumulative, x)]


class Grammar:
    """Named rules; :meth:`render` expands a template, :meth:`expand` a symbol."""

    def __init__(self, rules: Mapping[str, Alternatives]) -> None:
        self._rules = {name: _Rule(alts) for name, alts in rules.items()}
        self._templates: dict[str, Compiled] = {}

    def __contains__(self, symbol: str) -> bool:
        return symbol in self._rules

    def symbols(self) -> list[str]:
        return sorted(self._rules)

    def render(self, template: str, rng: random.Random) -> str:
        compiled = self._templates.get(template)
        if compiled is None:
            compiled = self._templates[template] = compile_template(template)
            self._check(compiled, template)
        out: list[str] = []
        self._fill(compiled, rng, out, 0)
        return "".join(out)

    def expand(self, symbol: str, rng: random.Random) -> str:
        return self.render("{" + symbol + "}", rng)

    def freeze(self, template: str, rng: random.Random, keep: Callable[[str], bool]) -> str:
        """``template`` with every slot rendered once, however deep, except those ``keep``
        names: a script's one fixed skeleton, its payload slots still to fill.

        >>> g = Grammar({"ask": ["Solve: {q}", "Work out: {q}"], "q": ["1+1", "2+2"]})
        >>> g.freeze("{ask} Show steps.", random.Random(1), keep=lambda s: s == "q")
        'Solve: {q} Show steps.'
        """
        out: list[str] = []
        self._freeze(compile_template(template), rng, keep, out, 0)
        return "".join(out)

    def _freeze(
        self,
        compiled: Compiled,
        rng: random.Random,
        keep: Callable[[str], bool],
        out: list[str],
        depth: int,
    ) -> None:
        if depth > 12:
            raise RecursionError("grammar recursion deeper than 12 levels")
        for literal, symbol in compiled:
            out.append(_escaped(literal))
            if symbol is None:
                continue
            rule = self._rules.get(symbol)
            if rule is None:
                raise KeyError(f"unknown symbol {{{symbol}}}")
            if keep(symbol):
                out.append("{" + symbol + "}")
            elif rule.func is not None:
                out.append(_escaped(rule.func(rng)))
            else:
                self._freeze(rule.pick(rng), rng, keep, out, depth + 1)

    def _check(self, compiled: Compiled, where: str) -> None:
        for _, symbol in compiled:
            if symbol is not None and symbol not in self._rules:
                raise KeyError(f"unknown symbol {{{symbol}}} in {where!r}")

    def _fill(self, compiled: Compiled, rng: random.Random, out: list[str], depth: int) -> None:
        if depth > 12:
            raise RecursionError("grammar recursion deeper than 12 levels")
        for literal, symbol in compiled:
            out.append(literal)
            if symbol is None:
                continue
            rule = self._rules.get(symbol)
            if rule is None:
                raise KeyError(f"unknown symbol {{{symbol}}}")
            if rule.func is not None:
                out.append(rule.func(rng))
            else:
                self._fill(rule.pick(rng), rng, out, depth + 1)

    def validate(self) -> None:
        """Raise ``KeyError`` if any alternative names a symbol that has no rule."""
        for name, rule in self._rules.items():
            for option in rule.options:
                self._check(option, f"rule {name}")
