import io
import logging

import pytest
import structlog

from config.logging import formatter


@pytest.fixture
def rendered():
    """`rendered(fmt)`: a stream receiving every line at INFO and above, rendered by the real pipeline
    (structlog's processors, then the handler's formatter for LOG_FORMAT `fmt`)."""
    root = logging.getLogger()
    level, handlers = root.level, []

    def attach(fmt: str = "json") -> io.StringIO:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter(fmt))
        root.addHandler(handler)
        handlers.append(handler)
        root.setLevel(logging.INFO)
        return stream

    yield attach
    for handler in handlers:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def events():
    """The structlog events logged during the test, whatever the level, with the bound context
    (request_id, task...) merged in: a list of dicts."""
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as captured:
        yield captured


def named(captured, event: str) -> list[dict]:
    return [e for e in captured if e["event"] == event]
