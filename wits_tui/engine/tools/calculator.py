"""Exact arithmetic on rational numbers, by walking the expression's syntax tree (no eval)."""

from __future__ import annotations

import ast
import operator
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from pydantic import Field

from wits_tui.engine.tools.base import Args, ToolFailed

MAX_EXPONENT = 10_000
MAX_DIGITS = 10_000

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
            return left ** int(right)
        op = _BINARY.get(type(node.op))
        if op is None:
            raise ToolFailed(f"the operator {type(node.op).__name__} is not supported")
        if right == 0 and isinstance(node.op, (ast.Div, ast.FloorDiv, ast.Mod)):
            raise ToolFailed("division by zero")
        return Fraction(op(left, right))
    raise ToolFailed(f"'{ast.unparse(node)}' is not arithmetic: use numbers, + - * / // % ** and parentheses")


def evaluate(expression: str) -> Fraction:
    try:
        tree = ast.parse(expression.replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        raise ToolFailed(f"cannot read the expression: {exc.msg}") from None
    value = _eval(tree)
    if len(str(value.numerator)) + len(str(value.denominator)) > MAX_DIGITS:
        raise ToolFailed("the result has too many digits")
    return value


def describe(value: Fraction) -> dict[str, str]:
    """The exact value, and a decimal form when it is not a whole number."""
    if value.denominator == 1:
        return {"result": str(value.numerator)}
    try:
        approx = format(Decimal(value.numerator) / Decimal(value.denominator), ".15g")
    except InvalidOperation:
        approx = str(float(value))
    return {"result": f"{value.numerator}/{value.denominator}", "decimal": approx}


async def run_calculator(args: CalculatorArgs, ctx: object) -> dict[str, str]:
    return {"expression": args.expression, **describe(evaluate(args.expression))}
