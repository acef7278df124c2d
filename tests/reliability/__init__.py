"""Fault and abuse tests: nothing acknowledged is lost, nothing is counted twice (docs/reliability.md)."""
