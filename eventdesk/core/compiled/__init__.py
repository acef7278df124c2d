"""A faster way to make the rows of ``core.rows``: compiled per client, exact or stepping aside.

``FastPreparer(mappings).rows(items)`` equals ``rows.rows_of(Normalizer(mappings), items)`` tuple
for tuple. Each step takes a fast path only for shapes it reads exactly as the exact path does;
anything else (rejections, warnings, odd numbers, DST gaps and folds, ...) is prepared by the
exact code. See docs/performance.md, "Preparing an event: the compiled path".
"""
from eventdesk.core.compiled.preparer import FastPreparer

__all__ = ["FastPreparer"]
