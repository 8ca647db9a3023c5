"""Public Atom feeds of the open bulletins, one per language."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .selectors import bulletins_open

FEED_LANGUAGES = ("en", "fr")


class OpenBulletinsFeed(Feed):
    """Rendered inside `translation.override(lang)` by `bulletin_feed`, so the localized
    title and description of every bulletin come out in the feed's language."""

    feed_type = Atom1Feed

    def get_object(self, request, lang):
        if lang not in FEED_LANGUAGES:
            raise Http404
        return lang

    def title(self, lang):
        return _("Open job posting bulletins — police peace operations")

    def subtitle(self, lang):
        return _("Bulletins open to applications from partner police agencies.")

    def link(self, lang):
        return reverse("missions:bulletin-list")

    def feed_url(self, lang):
        return reverse("missions:bulletin-feed", kwargs={"lang": lang})

    def feed_guid(self, lang):
        return f"{settings.SITE_URL}{self.feed_url(lang)}"

    def items(self, lang):
        return bulletins_open().select_related("mission").order_by("closes_at", "pk")

    def item_title(self, item):
        return f"{item.reference} — {item.title} ({item.mission.code})"

    def item_description(self, item):
        closes = formats.date_format(timezone.localtime(item.closes_at), "DATETIME_FORMAT")
        closing = _("Closes %(when)s (Ottawa time).") % {"when": closes}
        return f"{item.description}\n\n{closing}"

    def item_link(self, item):
        return reverse("missions:bulletin-detail", kwargs={"pk": item.pk})

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.mission.code]


def bulletin_feed(request, lang):
    """Public: no login. 404 for a language other than English or French."""
    if lang not in FEED_LANGUAGES:
        raise Http404
    with translation.override(lang):
        return OpenBulletinsFeed()(request, lang=lang)
