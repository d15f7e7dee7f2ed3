"""The word tables the brief reads: synonyms in English and Chinese, one table per kind.

``format`` says how a table is written and holds the helpers that expand it; adding a synonym
never touches parsing code.
"""
