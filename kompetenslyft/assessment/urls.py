from django.urls import path

from . import campaign_views, propose_views, views

app_name = "assessment"
urlpatterns = [
    path("", campaign_views.campaigns, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_create_view, name="campaign_create"),
    path("campaigns/count/", campaign_views.campaign_count_view, name="campaign_count"),
    path("campaigns/<id:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<id:pk>/open/", views.campaign_open_view, name="open"),
    path("campaigns/<id:pk>/close/", views.campaign_close_view, name="close"),
    path("campaigns/<id:pk>/remind/", views.campaign_remind_view, name="remind"),
    path("campaigns/<id:pk>/answer/", views.answer, name="answer"),
    path("gaps/", views.gap_heatmap, name="gaps"),
    path("gaps/export.<str:fmt>", views.gap_export, name="gaps_export"),
    path("gaps/people/", views.gap_people, name="gap_people"),
    path("gaps/people/propose/", propose_views.gap_propose, name="gap_propose"),
    path("gaps/movement/", views.gap_movement, name="movement"),
    path("gaps/team/", views.team, name="team"),
    path("me/", views.my_gaps, name="me"),
]
