"""Background work of the evaluation domain (django-tasks; `kompetenslyft worker` runs it)."""

from __future__ import annotations

from django_tasks import task


@task()
def results_snapshot_task(organisation_id: int) -> int:
    """Compute and store the results cube after a change to the summary (an import), so that
    the next page or `report evaluation` reads it instead of computing the release. Returns
    the summary version it stored (0 when there was nothing to do)."""
    from kompetenslyft.org.models import Organisation

    from .cube import cube_for
    from .summary import version

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    cube_for(organisation)
    return version(organisation_id)[1]
