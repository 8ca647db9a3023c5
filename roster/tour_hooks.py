"""What apps above roster do when a tour ends (completed or repatriated): roster must not import them,
so each registers a listener in its AppConfig.ready():

    from roster.tour_hooks import register_tour_ended
    register_tour_ended("welfare", welfare.services.return_plan_start_for)

A listener is called as listener(deployment) inside the transaction that records the end (so what it
writes, its outbox messages included, commits or rolls back with it), after the deployment's status
and actual end date are saved. It runs a constant number of queries.
"""

_LISTENERS: dict[str, object] = {}


def register_tour_ended(name: str, listener) -> None:
    _LISTENERS[name] = listener


def tour_ended(deployment) -> None:
    for listener in _LISTENERS.values():
        listener(deployment)
