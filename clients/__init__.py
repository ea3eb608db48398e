"""Clients of the Relève node's local API."""
