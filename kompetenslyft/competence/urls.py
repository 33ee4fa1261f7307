from django.urls import path

from . import views

app_name = "competence"
urlpatterns = [
    path("", views.frameworks, name="frameworks"),
    path("frameworks/<id:pk>/", views.framework_detail, name="framework"),
    path("frameworks/<id:pk>/adopt/", views.framework_adopt, name="adopt"),
    path("frameworks/<id:pk>/competences/new/", views.competence_edit, name="competence_new"),
    path("frameworks/<id:pk>/competences/<id:competence_pk>/", views.competence_edit, name="competence_edit"),
    path("requirements/", views.requirement_grid, name="requirements"),
]
