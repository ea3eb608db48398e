"""Relève relay: an optional, stateless store-and-forward service for sealed blobs."""
