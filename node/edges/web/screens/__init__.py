"""The web client's screens, one module each, every one an object with its routes
(pages.Screen) built on the shared :class:`node.edges.web.pages.Pages`."""
