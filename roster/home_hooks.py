"""Panels that apps above roster (welfare, ledger, planning...) add to the home pages, without roster
importing them. A higher app registers a provider in its AppConfig.ready():

    from roster.home_hooks import register_home_panel
    register_home_panel("welfare", welfare.panels.home_panel)

A provider is called as provider(user, today=date) and returns None (nothing to show this user) or a
dict {"template": "welfare/_home_panel.html", "context": {...}, "attention": int}: the home page includes
the template with the context's keys, in registration order; "attention" counts the items that need
the user's action (`attention`: on IPO staff's home, the worklist "Needs your attention" then does not
say that nothing is waiting). A provider runs a constant number of queries, whatever the number of rows.
A provider that keeps its panels until their data changes may keep them rendered (`rendered`: the panel
with its "html"), and the page then outputs that HTML without rendering the template.
"""

_PROVIDERS: dict[str, object] = {}


def register_home_panel(name: str, provider) -> None:
    _PROVIDERS[name] = provider


def _panels(providers: dict, user, today) -> list[dict]:
    """The panels the providers have for `user`, in registration order (None: no panel)."""
    return [panel for provider in providers.values() if (panel := provider(user, today=today))]


def home_panels(user, *, today) -> list[dict]:
    return _panels(_PROVIDERS, user, today)


def attention(panels) -> int:
    """The items of the home panels that need the user's action (their "attention")."""
    return sum(panel.get("attention", 0) for panel in panels)


# --- the dashboard: the same kind of panels, for the roster dashboard (IPO staff and coordinators) ------
# A provider is called as provider(user, today=date) and returns None or a dict
# {"template": "welfare/_dashboard_panel.html", "context": {...}}; the dashboard includes each template
# with its context, in registration order, below its own figures. Constant queries, whatever the rows.

_DASHBOARD_PROVIDERS: dict[str, object] = {}


def register_dashboard_panel(name: str, provider) -> None:
    _DASHBOARD_PROVIDERS[name] = provider


def dashboard_panels(user, *, today) -> list[dict]:
    return _panels(_DASHBOARD_PROVIDERS, user, today)


def render_panels(request, panels) -> list[str]:
    """Each panel rendered with its own context, for the page to output in order; a panel that holds its
    "html" already (`rendered`) is output as it is."""
    from django.template.loader import render_to_string

    return [p["html"] if "html" in p else render_to_string(p["template"], p["context"], request=request)
            for p in panels]


def rendered(panel: dict | None) -> dict | None:
    """`panel` with its "html", rendered now in the active language: for a provider that keeps its panels
    (roster.freshness), so that a kept view renders nothing. Its template may use nothing of the request
    (no CSRF token, no user): it is rendered without one."""
    from django.template.loader import render_to_string

    if panel is None:
        return None
    return {**panel, "html": render_to_string(panel["template"], panel["context"])}
