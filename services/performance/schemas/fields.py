"""Fields every performance schema shares: money in yuan, exact to the fen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma

from shared.fields import UTCDateTime


class Money(ma.fields.Decimal):
    """Yuan, exact to the fen: a `Decimal` inside, a JSON number with at most 2 decimals out.

    Flask's JSON encoder would turn a `Decimal` into a string, so the quantised value is
    dumped as a float, whose shortest representation is the same 2-decimal figure for every
    amount below 10^13 yuan. Input is read from the number's text (never rounded through a
    float) and refused with more than 2 decimals.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"].setdefault("description", "Yuan, at most 2 decimals.")
        super().__init__(places=2, as_string=False, allow_nan=False, **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        number = super()._serialize(value, attr, obj, **kwargs)
        return None if number is None else float(number)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if value is True or value is False or not isinstance(value, int | float | str):
            raise self.make_error("invalid")
        try:
            exact = Decimal(str(value))
        except ArithmeticError as error:
            raise self.make_error("invalid") from error
        if not exact.is_finite():
            raise self.make_error("special")
        try:
            too_fine = exact != exact.quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        except ArithmeticError as error:  # beyond decimal precision (1e308): no money is so large
            raise self.make_error("invalid") from error
        if too_fine:
            raise ma.ValidationError("At most 2 decimals (yuan and fen).")
        return self._validated(exact)


__all__ = ["Money", "UTCDateTime"]
