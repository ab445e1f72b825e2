"""Readers: an input -> an `Interpretation` (its report, tables and rows with their meaning), for the
pipeline to reconcile. The reader of an input is chosen by its content (`registry.READERS`)."""
