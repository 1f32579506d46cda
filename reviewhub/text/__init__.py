"""Pure text functions, no Flask and no database: Markdown into numbered sections (sections),
sections matched with the previous version (matching), passages found in a section's text
(anchoring), and word diffs and similarity (words)."""
