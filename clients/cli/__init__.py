"""The `releve` command-line client."""
