"""Pure performance rules (points, ranges, authority caps, periods): no Flask, no database."""
