from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitePagesConfig(AppConfig):
    """The Government of Canada site furniture: the pages every GC site links from its footer (terms and
    conditions, contact, report a problem), the breadcrumbs, the page title pattern, the "Date modified" and
    the error summary of forms."""

    name = "site_pages"
    verbose_name = _("Site pages")

    def ready(self):
        from notifications.services import register_mail_context

        from . import checks  # noqa: F401  (registers the release date check)
        from .services import PROBLEM_MAIL, problem_mail_context

        register_mail_context(PROBLEM_MAIL, problem_mail_context)
