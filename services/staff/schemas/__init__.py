"""Schemas named by purpose (`…Create`, `…Read`, `…Query`), one module per feature."""
