"""Missions, bulletins and the notices each partner agency gets of a bulletin."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from agencies.access import require
from agencies.permissions import is_ipo_staff, is_officer
from agencies.selectors import officer_for_user
from missions import services
from missions.forms import BulletinCancelForm
from missions.models import BulletinNotice
from missions.selectors import bulletin_visible_to, mission_visible_to, missions_with_strength, notice_visible_to

from ..exceptions import Conflict
from ..filters import BulletinFilter, NoticeFilter
from ..forms import form_serializer, valid_form
from ..serializers import BulletinDetailSerializer, BulletinSerializer, MissionSerializer, NoticeSerializer
from .base import ApiViewSet, service_errors

BulletinCancelRequest = form_serializer("BulletinCancelRequest", BulletinCancelForm, required=("reason",))


@extend_schema_view(
    list=extend_schema(description=_("The missions, with their authorised strength and how many officers fill it "
                                     "now. Every signed-in role.")),
    retrieve=extend_schema(description=_("One mission and its strength.")),
)
class MissionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = MissionSerializer
    ordering = ("code", "id")

    def get_queryset(self):
        return missions_with_strength(mission_visible_to(self.request.user))


@extend_schema_view(
    list=extend_schema(description=_(
        "Job posting bulletins, latest closing first, with the bulletin list's filters. IPO staff see every "
        "bulletin; the others see the published and closed ones.")),
    retrieve=extend_schema(description=_(
        "One bulletin with its requirements; for an officer, whether they meet each one.")),
)
class BulletinViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    filter_backends = [DjangoFilterBackend]
    filterset_class = BulletinFilter
    ordering = ("-closes_at", "-id")

    def get_queryset(self):
        return bulletin_visible_to(self.request.user)

    def get_serializer_class(self):
        return BulletinDetailSerializer if self.action != "list" else BulletinSerializer

    def retrieve(self, request, *args, **kwargs):
        bulletin = self.get_object()
        return Response(self._detail(bulletin))

    def _detail(self, bulletin):
        context = self.get_serializer_context()
        if is_officer(self.request.user):
            from roster import eligibility

            officer = officer_for_user(self.request.user)
            if officer is not None:
                context["eligibility"] = eligibility.check(officer, bulletin)
        return BulletinDetailSerializer(bulletin, context=context).data

    def _staff_action(self):
        bulletin = self.get_object()
        require(is_ipo_staff, self.request.user)
        return bulletin

    @extend_schema(request=None, responses=BulletinDetailSerializer, description=_(
        "IPO staff publish a draft: every partner agency is notified. A bulletin not ready to publish (a title "
        "or description missing in a language, its closing date passed, its mission not active) is refused "
        "with 409, saying why."))
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        bulletin = self._staff_action()
        try:
            services.bulletin_publish(bulletin=bulletin, actor=request.user)
        except ValidationError as exc:  # its problems name the bulletin's fields, not the request's
            raise Conflict(" ".join(exc.messages))
        return Response(self._detail(self.get_object()))

    @extend_schema(request=None, responses=BulletinDetailSerializer, description=_(
        "IPO staff close a published bulletin (applications stop); the agencies are told."))
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        bulletin = self._staff_action()
        with service_errors():
            services.bulletin_close(bulletin=bulletin, actor=request.user)
        return Response(self._detail(self.get_object()))

    @extend_schema(request=BulletinCancelRequest, responses=BulletinDetailSerializer, description=_(
        "IPO staff cancel a draft or published bulletin, with the reason the notified agencies receive."))
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        bulletin = self._staff_action()
        form = valid_form(BulletinCancelForm, request)
        with service_errors():
            services.bulletin_cancel(bulletin=bulletin, actor=request.user, reason=form.cleaned_data["reason"])
        return Response(self._detail(self.get_object()))

    @extend_schema(request=None, responses=NoticeSerializer, description=_(
        "An agency coordinator acknowledges a published bulletin for their agency (once: acknowledging again "
        "keeps the first time)."))
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        bulletin = self.get_object()
        with service_errors():
            notice = services.notice_acknowledge(bulletin=bulletin, actor=request.user)
        notice = BulletinNotice.objects.select_related("bulletin", "agency", "acknowledged_by").get(pk=notice.pk)
        return Response(NoticeSerializer(notice, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(description=_(
        "The notices of bulletins to partner agencies, newest first: IPO staff see every agency's, a coordinator "
        "their own agency's. Officers may not.")),
    retrieve=extend_schema(description=_("One agency's notice of one bulletin.")),
)
class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = NoticeSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NoticeFilter
    roles = ("ipo_staff", "coordinator")
    ordering = ("-created_at", "-id")

    def get_queryset(self):
        return notice_visible_to(self.request.user)

    @extend_schema(request=None, responses=NoticeSerializer, description=_(
        "An agency coordinator acknowledges the bulletin of their agency's notice."))
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        notice = self.get_object()
        with service_errors():
            services.notice_acknowledge(bulletin=notice.bulletin, actor=request.user)
        return Response(NoticeSerializer(self.get_object(), context=self.get_serializer_context()).data)
