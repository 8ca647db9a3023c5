"""Personal data kept by apps above privacy (welfare...): privacy must not import them, so each
registers, in its AppConfig.ready(), what anonymisation must erase:

    from privacy.hooks import register_officer_eraser
    register_officer_eraser("welfare", welfare.services.officer_welfare_erase)

An eraser is called as eraser(officer_id=int) inside officer_anonymise's transaction.
"""

_ERASERS: dict[str, object] = {}


def register_officer_eraser(name: str, eraser) -> None:
    _ERASERS[name] = eraser


def officer_erasers() -> list:
    return list(_ERASERS.values())
