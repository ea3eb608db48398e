"""The relay's exceptions.

::

    RelayError                       the relay's own errors
    ├── ConfigError (ValueError)     a configuration value or listen address is invalid (local)
    └── Refused                      a deposit the store declines; ``code`` says why
                                     (relay.mailboxes; answered to the peer, never raised out)
    RelayProtocolError               bytes from a peer that do not decode (relay.protocol; remote)

Peers' mistakes and abuse never propagate as exceptions past the server's handlers: each is
answered with an error code (HTTP JSON body or WebSocket ERROR frame) and counted in the log.
"""

from __future__ import annotations


class RelayError(Exception):
    """Base class of the relay's own errors."""


class ConfigError(RelayError, ValueError):
    """An invalid configuration value, environment variable, flag or listen address."""
