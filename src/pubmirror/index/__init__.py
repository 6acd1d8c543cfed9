"""Layer 5: search behind one interface (:class:`pubmirror.index.base.SearchIndex`)."""
