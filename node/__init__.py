"""Relève node: the daemon that holds a practice's keys, contacts and messages."""
