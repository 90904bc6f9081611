"""The model card: a typed document, rendered as Markdown and as one self-contained HTML."""
