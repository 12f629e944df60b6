"""Wording layer: every sentence, label and table in words, in the Translator's language; a module per page."""
