"""The leave service: leave on the China working calendar, routed by policy."""
