"""Panels that apps above roster (welfare, ledger, planning...) add to the home pages, without roster
importing them. A higher app registers a provider in its AppConfig.ready():

    from roster.home_hooks import register_home_panel
    register_home_panel("welfare", welfare.selectors.home_panel)

A provider is called as provider(user, today=date) and returns None (nothing to show this user) or a
dict {"template": "welfare/_home_panel.html", "context": {...}, "attention": int}: the home page includes
the template with the context's keys, in registration order; "attention" counts the items that need
the user's action (added to the page's "needs your attention" total). A provider runs a constant
number of queries, whatever the number of rows.
"""

_PROVIDERS: dict[str, object] = {}


def register_home_panel(name: str, provider) -> None:
    _PROVIDERS[name] = provider


def home_panels(user, *, today) -> list[dict]:
    panels = []
    for provider in _PROVIDERS.values():
        panel = provider(user, today=today)
        if panel:
            panels.append(panel)
    return panels
