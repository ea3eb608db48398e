"""The relay's exceptions.

::

    RelayError                       the relay's own errors
    ├── ConfigError (ValueError)     a configuration value or listen address is invalid (local)
    └── Refused                      a deposit the store declines; ``code`` says why
                                     (relay.mailboxes; answered to the peer, never raised out)

Bytes from a peer that do not decode raise ``node.protocol.relay_wire.RelayProtocolError``
(a remote error of the protocol core's tree, where the relay's wire format is defined).

Peers' mistakes and abuse never propagate as exceptions past the server's handlers: each is
answered with an error code (HTTP JSON body or WebSocket ERROR frame) and counted in the log.
"""

from __future__ import annotations


class RelayError(Exception):
    """Base class of the relay's own errors."""


class ConfigError(RelayError, ValueError):
    """An invalid configuration value, environment variable, flag or listen address."""
