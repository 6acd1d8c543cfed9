"""Layer 1: the record model and the streaming, secure NLM XML reader. Pure: no storage."""
