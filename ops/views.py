"""`/readyz` (is this instance ready to serve: database, cache, broker, worker, private storage) and
`/metrics` (Prometheus), both for machines.

/readyz answers 200 when every check passes and 503 otherwise, as plain text or, with
`?format=json` or `Accept: application/json`, as JSON:
`{"status": "ready" | "not ready", "checks": {"database": {"status": "ok", "seconds": 0.002}, ...}}`,
each failed check with a short "error". Nothing in it names a host, a path or a credential.
"""

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor

from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from health_check.views import HealthCheckView, MediaType
from prometheus_client import CONTENT_TYPE_LATEST

from . import metrics as ops_metrics
from .health import readiness_checks
from .permissions import can_read_metrics


def wants_json(request) -> bool:
    fmt = request.GET.get("format", "")
    if fmt in ("json", "text"):
        return fmt == "json"
    try:
        for media in MediaType.parse_header(request.headers.get("Accept", "*/*")):
            if media.mime_type in ("application/json", "application/*"):
                return True
            if media.mime_type.startswith("text/") or media.mime_type == "*/*":
                return False
    except ValueError:  # a malformed Accept header: plain text
        pass
    return False


@contextlib.contextmanager
def _executor():
    """Threads for the synchronous checks. Not waited for on the way out: a check past its timeout
    is reported as such and the answer goes at once (the thread ends with its own client timeout)."""
    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


class ReadyView(HealthCheckView):
    """django-health-check's view (checks run concurrently, each within its timeout), with the
    checks of `ops.health`, 503 when one fails, and answers in text or JSON only; to the addresses
    and the token that may read /metrics (ops.permissions)."""

    def get_checks(self):
        yield from readiness_checks()

    def get_executor(self):
        return _executor()

    async def get(self, request, *args, **kwargs):
        # Each call opens a broker connection and pings the workers: for the probes and the scraper
        # only (the addresses or the token of /metrics); anyone else gets a 404.
        if not can_read_metrics(request):
            raise Http404
        with self.get_executor() as executor:
            self.results = await asyncio.gather(*(check.get_result(executor) for check in self.get_checks()))
        status = 503 if any(result.error for result in self.results) else 200
        if wants_json(request):
            return self.render_to_response_json(status)
        return self.render_to_response_text(status)

    def _checks(self) -> dict:
        out = {}
        for result in self.results:
            entry = {"status": "unavailable" if result.error else "ok", "seconds": round(result.time_taken, 3)}
            if result.error:
                entry["error"] = str(result.error.message)
            out[result.check.name] = entry
        return out

    def render_to_response_json(self, status):
        ready = status == 200
        return JsonResponse({"status": "ready" if ready else "not ready", "checks": self._checks()}, status=status)

    def render_to_response_text(self, status):
        lines = ["ready" if status == 200 else "not ready"]
        for name, entry in self._checks().items():
            lines.append(f"{name}: {entry['status']}" + (f" ({entry['error']})" if "error" in entry else ""))
        return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8", status=status)


readyz = ReadyView.as_view()


@never_cache
def metrics(request):
    """Prometheus's text format, for an allowed address or token (ops.permissions); anyone else gets
    the same 404 as for a page that does not exist."""
    if not can_read_metrics(request):
        raise Http404
    return HttpResponse(ops_metrics.render(), content_type=CONTENT_TYPE_LATEST)
