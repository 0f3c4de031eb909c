"""The staff blueprint: the shared strict parser, and unknown query parameters refused.

An unknown query parameter is a 422 ("Unknown field."), as an unknown body field is
(docs/api.md: "invalid or unknown fields → 422"): a misspelt filter (`?sutbree=true`) would
otherwise silently answer a wider list than was asked for.
"""

from __future__ import annotations

from typing import ClassVar

import marshmallow as ma

from shared.web import Blueprint, StrictParser


class StaffParser(StrictParser):
    DEFAULT_UNKNOWN_BY_LOCATION: ClassVar[dict[str, str | None]] = {
        **StrictParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": ma.RAISE, "querystring": ma.RAISE}


class StaffBlueprint(Blueprint):
    ARGUMENTS_PARSER = StaffParser()
