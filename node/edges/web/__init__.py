"""The web client (issue #14): the clinicians' screen, served by the node on 127.0.0.1.

An edge like the local API: it calls the same core services and holds no rule of its own.

    app.py       WebClient: the assembly, the guard, login and language, the WebSocket
    guard.py     what every request passes first: Host allow-list, Origin and Sec-Fetch-Site,
                 the session, the CSRF token, and the security headers of every answer
    sessions.py  one-time login links and the sessions they become (rotation, idle expiry);
                 on a clinic server, a person's sessions (bound to an address, idle lock)
    people.py    a clinic server: the person behind a session (enabled, same address), acting
    origin.py    where it is served: the Host values and origins accepted, the cookies
                 (__Host-, Secure under TLS)
    serving.py   where it listens and over what: 127.0.0.1, or a clinic server's LAN over
                 TLS (node/edges/tls.py)
    live.py      LiveHub: the node's inbox signal turned into pushes to every open tab
    pages.py     Pages: what every screen shares (session, CSRF, rendering, banners)
    refused.py   the clinical documents the node refused lately, in words (status, list)
    screens/     one module per screen with its routes (conversations, compose, files,
                 records, contacts, status; a clinic server's login, account and users)
    texts/       every sentence of the screens, French first, then English, one module per screen
    templates/   Jinja2, autoescaped; static/  style sheets and small scripts
"""
