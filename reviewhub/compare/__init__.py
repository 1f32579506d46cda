"""Comparing versions: sections aligned through the versions (versions), the structure-keeping
word diff of Markdown blocks (blocks), and its forms: HTML (html, page), Word with tracked
changes (docx), plain text and JSON (plain), and the words that describe a change (labels)."""
