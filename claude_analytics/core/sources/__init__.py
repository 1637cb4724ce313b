"""Log sources behind one interface: each yields batches of raw source lines."""
