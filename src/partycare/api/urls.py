from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from partycare.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("members", views.MemberViewSet, basename="member")
router.register("life-events", views.LifeEventViewSet, basename="life-event")
router.register("talks", views.TalkViewSet, basename="talk")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("greetings", views.GreetingViewSet, basename="greeting")
router.register("talk-requests", views.TalkRequestViewSet, basename="talk-request")
router.register("leader-links", views.LeaderLinkViewSet, basename="leader-link")
router.register("needs-surveys", views.NeedsSurveyViewSet, basename="needs-survey")
router.register("medals", views.MedalAwardViewSet, basename="medal")
router.register("obligations", views.ObligationViewSet, basename="obligation")
router.register("notifications", views.NotificationViewSet, basename="notification")

v1 = [
    path("members/<int:member_id>/events/", views.MemberLifeEventsView.as_view(), name="member-events"),
    path("me/", views.MeView.as_view(), name="me"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("auth/token/", views.TokenView.as_view(), name="token"),
    *router.urls,
]

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/", include(v1)),
]
