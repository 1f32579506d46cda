"""Exports of a version's or a document's feedback: rows (what they hold), and each format."""
