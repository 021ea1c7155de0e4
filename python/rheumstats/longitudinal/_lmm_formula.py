"""lme4 formula syntax: split ``'y ~ fixed + (expr | group)'`` into the
response, the fixed part (handed to formulaic unparsed) and the random-effects
terms. Only the ``( … | … )`` terms are parsed here."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..exceptions import InvalidInputError

__all__ = ["RandomTerm", "LmmFormula", "parse_lmm_formula"]

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class RandomTerm:
    expr: str  # '1 + Days', '0 + Days'
    group: str  # 'Subject'
    text: str  # '(1 + Days | Subject)'


@dataclass(frozen=True)
class LmmFormula:
    response: str
    fixed: str
    random: tuple[RandomTerm, ...]


def _fail(formula: str, pos: int, what: str) -> InvalidInputError:
    return InvalidInputError(f"formula: {what} at position {pos}: {formula!r}\n{' ' * (pos + 10)}^")


def parse_lmm_formula(formula: str) -> LmmFormula:
    if not isinstance(formula, str):
        raise TypeError(f"formula: expected a string like 'y ~ x + (1 | id)', got {type(formula).__name__}")
    return _parse(formula)


@functools.lru_cache(maxsize=512)
def _parse(formula: str) -> LmmFormula:
    depth = 0
    tilde = -1
    for i, ch in enumerate(formula):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise _fail(formula, i, "unmatched ')'")
        elif ch == "~" and depth == 0:
            if tilde >= 0:
                raise _fail(formula, i, "second '~'")
            tilde = i
    if depth > 0:
        raise _fail(formula, formula.rfind("("), "unclosed '('")
    if tilde < 0:
        raise _fail(formula, 0, "no '~' (expected 'response ~ terms')")
    response = formula[:tilde].strip()
    if not response:
        raise _fail(formula, tilde, "no response before '~'")
    if not _NAME.match(response):
        raise _fail(formula, 0, f"the response must be a column name, got {response!r}")
    rhs = formula[tilde + 1 :]
    off = tilde + 1
    random: list[RandomTerm] = []
    keep: list[str] = []
    i = 0
    start = 0
    while i < len(rhs):
        if rhs[i] == "(":
            # find its closing parenthesis
            d, j = 0, i
            while j < len(rhs):
                if rhs[j] == "(":
                    d += 1
                elif rhs[j] == ")":
                    d -= 1
                    if d == 0:
                        break
                j += 1
            inner = rhs[i + 1 : j]
            bar = _top_bar(inner)
            if bar >= 0:
                if inner[bar : bar + 2] == "||":
                    raise _fail(formula, off + i + 1 + bar, "'||' is not supported; write (1 | g) + (0 + x | g)")
                expr, group = inner[:bar].strip(), inner[bar + 1 :].strip()
                if not expr:
                    raise _fail(formula, off + i + 1, "empty left side of '|'")
                if not group:
                    raise _fail(formula, off + i + 1 + bar, "no grouping factor after '|'")
                random.append(RandomTerm(expr=expr, group=group, text=f"({expr} | {group})"))
                keep.append(rhs[start:i])
                start = j + 1
            i = j + 1
            continue
        i += 1
    keep.append(rhs[start:])
    fixed = "".join(keep)
    # tidy the '+' left behind by removed terms
    fixed = re.sub(r"\+\s*(\+\s*)+", "+ ", fixed)
    fixed = re.sub(r"^\s*\+", "", fixed)
    fixed = re.sub(r"\+\s*$", "", fixed).strip()
    if not fixed:
        fixed = "1"
    if not random:
        raise _fail(formula, len(formula), "no random-effects term such as (1 | id)")
    for t in random:
        if not all(_NAME.match(g.strip()) for g in re.split(r"[/:]", t.group)):
            raise InvalidInputError(f"formula: grouping factor {t.group!r} in {t.text} must be a column name (or a/b, a:b)")
    return LmmFormula(response=response, fixed=fixed, random=tuple(random))


def _top_bar(s: str) -> int:
    d = 0
    for k, ch in enumerate(s):
        if ch == "(":
            d += 1
        elif ch == ")":
            d -= 1
        elif ch == "|" and d == 0:
            return k
    return -1
