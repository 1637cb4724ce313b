"""The `claude-analytics` commands, one module per command (or pair of commands): each
defines its functions and a `register(app)` that names them; `cli.py` lists the modules."""
