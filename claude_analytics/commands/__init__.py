"""CLI command implementations, one module each; `cli.py` registers them."""
