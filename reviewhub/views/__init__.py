"""Thin request handlers: parse input, load (404), authorize (403), call the domain, render."""
