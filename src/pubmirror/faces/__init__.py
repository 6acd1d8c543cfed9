"""Layer 7: the faces (CLI; later web and E-utilities). Thin: they call the service façade."""
