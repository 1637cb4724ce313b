"""Operator commands of `claude-analytics` (doctor, status, backup, restore, jobs), one
module per topic; `cli.py` registers each with a line."""
