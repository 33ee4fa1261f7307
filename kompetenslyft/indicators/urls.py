from django.urls import path

from . import link_views, value_views, views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("new/", views.indicator_create, name="create"),
    path("<id:pk>/", views.indicator_detail, name="detail"),
    path("<id:pk>/edit/", views.indicator_update, name="update"),
    path("<id:pk>/archive/", views.indicator_archive, name="archive"),
    path("<id:pk>/restore/", views.indicator_restore, name="restore"),
    path("<id:pk>/values/", value_views.indicator_values, name="values"),
    path("<id:pk>/values/save/", value_views.indicator_values_save, name="values_save"),
    path("<id:pk>/link/", link_views.indicator_link, name="link"),
    path("<id:pk>/unlink/<id:initiative_pk>/", link_views.indicator_unlink, name="unlink"),
    path("initiative/<id:pk>/link/", link_views.initiative_link, name="initiative_link"),
    path(
        "initiative/<id:pk>/unlink/<id:indicator_pk>/", link_views.initiative_unlink, name="initiative_unlink"
    ),
]
