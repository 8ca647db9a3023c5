from django.utils import translation


class UserLanguageMiddleware:
    """Activate a signed-in user's preferred language unless they picked one this session
    (the language switcher's cookie wins). The thread's language is restored afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.COOKIES.get("django_language")
            and user.preferred_language
        ):
            with translation.override(user.preferred_language):
                request.LANGUAGE_CODE = user.preferred_language
                response = self.get_response(request)
                response.headers.setdefault("Content-Language", user.preferred_language)
                return response
        return self.get_response(request)
