"""CLI command implementations, one module each; `cli.py` only registers them."""
