"""The web console: server-rendered pages (Jinja2, Chinese first, English switchable) for the
supervision hall, agencies, bidders and intermediaries, over the same services and streams as
the API. `pages.py` holds the handlers, `hall.py` the hall's read-only queries, `i18n.py` and
`charts.py` the pure words and SVG charts; `templates/` and `static/` are served by the app."""
