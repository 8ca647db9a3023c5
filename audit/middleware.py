from auditlog.middleware import AuditlogMiddleware


class AuditActorMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, taking the client address from the connection only:
    a client-supplied X-Forwarded-For is never trusted as the address in the trail."""

    @staticmethod
    def _get_remote_addr(request):
        return request.META.get("REMOTE_ADDR")

    @staticmethod
    def _get_remote_port(request):
        return None
