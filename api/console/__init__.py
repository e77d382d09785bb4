"""The web console (控制台) the monitoring centre, reviewers and supervisors sit in front of.

Server-rendered pages: each page is a Litestar route in ``api/<domain>/pages.py`` with the same guard
and the same service calls as that domain's API routes. This package holds what every page shares:
templates and the layout (``templating``), our own scripts and styles and the pinned third-party
files (``assets``), the security headers (``security``), the page base class and its error pages
(``page``), and sign-in and sign-out (``routes``). docs/console.md says how to add a page.
"""
