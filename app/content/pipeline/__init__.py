"""Content pipeline: load -> parse -> link -> render, one Document per Markdown file."""
