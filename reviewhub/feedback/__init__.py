"""Reactions on sections and passages: posting them (posting), moderating them (moderation),
finding them (queries) and showing them (display)."""
