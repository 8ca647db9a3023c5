"""Extra context for the messages about a bulletin sent to each agency, from apps above missions (planning
adds how many of the agency's officers meet every requirement), without missions importing them.

A higher app registers a provider in its AppConfig.ready():

    from missions.notice_hooks import register_notice_context
    register_notice_context("planning-candidates", provider, templates=("bulletin_published",))

A provider is called as provider(bulletin, agency_ids) when a batch of those messages is rendered (once
per chunk of recipients, by the worker), and returns {agency_id: {extra template context}} for those
agencies, computed in bulk: a constant number of queries, whatever the number of agencies.
"""

_PROVIDERS: dict[str, tuple[frozenset, object]] = {}


def register_notice_context(name: str, provider, *, templates=("bulletin_published",)) -> None:
    _PROVIDERS[name] = (frozenset(templates), provider)


def notice_context(bulletin, agency_ids, *, template: str) -> dict:
    """{agency_id: context} merged from every provider registered for `template` (empty when none)."""
    merged: dict = {}
    agency_ids = sorted({a for a in agency_ids if a is not None})
    if not agency_ids:
        return merged
    for templates, provider in _PROVIDERS.values():
        if template in templates:
            for agency_id, extra in (provider(bulletin, agency_ids) or {}).items():
                merged.setdefault(agency_id, {}).update(extra)
    return merged
