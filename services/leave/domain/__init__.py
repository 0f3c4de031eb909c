"""Pure leave rules (routing, day counting): no Flask, no database."""
