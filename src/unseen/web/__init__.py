"""The review page: a local web page to check and correct every detection before publishing.

``unseen review [PATH...]`` runs :class:`unseen.web.server.ReviewServer` on 127.0.0.1 and opens
the page. Everything it serves comes from ``static/`` in this package: no CDN, no build step.
"""
