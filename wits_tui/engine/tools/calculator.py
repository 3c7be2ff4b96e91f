"""Exact arithmetic on rational numbers, by walking the expression's syntax tree (no eval).

The work is bounded before it is done: a power whose result would pass ``MAX_DIGITS`` is refused
without computing it (``(10**10000)**10000`` ran past 300 s), every intermediate value is checked
by its bit length (never by ``str()``, which refuses more than 4,300 digits), and the evaluation
runs in a thread, so the tool timeout fires even if a step is slow.
"""

from __future__ import annotations

import ast
import asyncio
import math
import operator
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from pydantic import Field

from wits_tui.engine.tools.base import Args, ToolFailed

MAX_EXPONENT = 10_000
#: Below Python's 4,300-digit limit for turning an int into text.
MAX_DIGITS = 4_000
_MAX_BITS = int(MAX_DIGITS / math.log10(2))

_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}


class CalculatorArgs(Args):
    expression: str = Field(
        min_length=1, max_length=2000,
        description="Arithmetic with + - * / // % ** and parentheses, e.g. '(1/3 + 2.5) * 12'.",
    )


def _number(node: ast.Constant) -> Fraction:
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
        raise ToolFailed(f"only numbers are allowed, not {node.value!r}")
    if isinstance(node.value, float):
        # the literal as written, so 0.1 is exactly one tenth
        return Fraction(Decimal(ast.unparse(node)))
    return Fraction(node.value)


def _eval(node: ast.AST) -> Fraction:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant):
        return _number(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            if right.denominator != 1:
                raise ToolFailed("powers must be whole numbers for an exact result")
            if abs(right) > MAX_EXPONENT:
                raise ToolFailed(f"the exponent is larger than {MAX_EXPONENT}")
            if left == 0 and right < 0:
                raise ToolFailed("division by zero")
            if abs(right) * max(left.numerator.bit_length(), left.denominator.bit_length()) > 2 * _MAX_BITS:
                raise ToolFailed(_TOO_BIG)
            return _bounded(left ** int(right))
        op = _BINARY.get(type(node.op))
        if op is None:
            raise ToolFailed(f"the operator {type(node.op).__name__} is not supported")
        if right == 0 and isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            raise ToolFailed("division by zero")
        return _bounded(Fraction(op(left, right)))
    raise ToolFailed(f"'{ast.unparse(node)}' is not arithmetic: use numbers, + - * / // % ** and parentheses")


_TOO_BIG = f"the result would have more than {MAX_DIGITS} digits: split the calculation or use smaller numbers"


def _bounded(value: Fraction) -> Fraction:
    if value.numerator.bit_length() + value.denominator.bit_length() > _MAX_BITS:
        raise ToolFailed(_TOO_BIG)
    return value


def evaluate(expression: str) -> Fraction:
    try:
        tree = ast.parse(expression.replace("^", "**"), mode="eval")
        return _bounded(_eval(tree))
    except SyntaxError as exc:
        raise ToolFailed(f"cannot read the expression: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ToolFailed("the expression is nested too deeply") from None


def describe(value: Fraction) -> dict[str, str]:
    """The exact value, and a decimal form when it is not a whole number."""
    if value.denominator == 1:
        return {"result": str(value.numerator)}
    try:
        approx = format(Decimal(value.numerator) / Decimal(value.denominator), ".15g")
    except InvalidOperation:
        approx = str(float(value))
    return {"result": f"{value.numerator}/{value.denominator}", "decimal": approx}


def _calculate(expression: str) -> dict[str, str]:
    return {"expression": expression, **describe(evaluate(expression))}


async def run_calculator(args: CalculatorArgs, ctx: object) -> dict[str, str]:
    # in a thread: the event loop (and the registry's timeout) keep running while it works
    return await asyncio.to_thread(_calculate, args.expression)
