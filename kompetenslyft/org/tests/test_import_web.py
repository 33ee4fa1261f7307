"""Imports from the web run as background tasks: the upload only stores the file and starts the
preview; the page shows progress; confirming starts the import; a file that deactivates more
than a fifth of the active people needs an explicit tick; unconfirmed uploads are purged."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.org.import_batches import import_batch_apply, import_batch_preview
from kompetenslyft.org.models import ImportBatch, Person
from kompetenslyft.org.services import import_batches_purge

THREE_PEOPLE = (
    "employee_id,given_name,family_name,unit_id,role\n"
    "N1,Nina,Ny,U1,undersköterska\nN2,Nils,Ny,U1,undersköterska\nN3,Nora,Ny,U2,undersköterska\n"
)
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class TaskClient(Client):
    """A client whose requests run their on-commit callbacks (the task enqueues), as a real
    request outside the test's transaction would."""

    capture: Any = None

    def post(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with self.capture(execute=True):
            return super().post(*args, **kwargs)


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks: Any) -> None:
    TaskClient.capture = django_capture_on_commit_callbacks


def lead_client(network: Any) -> Client:
    client = TaskClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(network.lead.user)
    return client


def upload(client: Client, network: Any, text: str, kind: str = "people", **extra: Any) -> Any:
    file = SimpleUploadedFile(f"{kind}.csv", text.encode(), content_type="text/csv")
    return client.post(
        reverse("org:import"), {"kind": kind, "organisation": network.org_a.pk, "file": file, **extra}
    )


def active_in_a(network: Any) -> int:
    return Person.objects.filter(organisation=network.org_a, is_active=True).count()


def test_the_upload_only_starts_the_preview_and_the_page_shows_progress(network: Any, settings: Any) -> None:
    settings.TASKS = DUMMY  # a worker that has not picked the task up yet
    client = lead_client(network)
    response = upload(client, network, THREE_PEOPLE)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("org:import_preview", args=[batch.pk])
    assert batch.status == ImportBatch.Status.CHECKING and batch.summary == {}
    page = client.get(response.url).content.decode()
    assert "Checking the file" in page
    assert '<noscript><meta http-equiv="refresh"' in page and "Reload the page" in page
    assert "import-progress.js" in page
    assert "Confirm the import" not in page
    assert client.get(reverse("org:import_progress", args=[batch.pk])).json() == {
        "status": "checking",
        "running": True,
        "done": 0,
        "total": 0,
        "percent": 0,
    }
    # The worker runs it: progress is written (rows read / total), then the preview.
    assert import_batch_preview(batch_id=batch.pk) == ImportBatch.Status.PREVIEWED
    batch.refresh_from_db()
    assert (batch.progress_done, batch.progress_total) == (3, 3)
    state = client.get(reverse("org:import_progress", args=[batch.pk])).json()
    assert state["running"] is False and state["percent"] == 100
    assert active_in_a(network) == 8  # a preview changes nothing


def test_confirm_starts_the_import_as_a_task(network: Any, settings: Any) -> None:
    settings.TASKS = DUMMY
    client = lead_client(network)
    more = THREE_PEOPLE + "".join(f"M{n},Maj,Mer,U1,lärare\n" for n in range(40))
    upload(client, network, more, keep_missing="on")
    batch = ImportBatch.objects.get()
    import_batch_preview(batch_id=batch.pk)
    response = client.post(reverse("org:import_confirm", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTING and batch.confirmed_by == network.lead.user
    assert "Importing" in client.get(reverse("org:import_preview", args=[batch.pk])).content.decode()
    assert not Person.objects.filter(employee_id="N1").exists()
    # a second confirmation while it runs starts nothing
    client.post(reverse("org:import_confirm", args=[batch.pk]))
    assert import_batch_apply(batch_id=batch.pk) == ImportBatch.Status.APPLIED
    assert import_batch_apply(batch_id=batch.pk) == ImportBatch.Status.APPLIED  # delivered twice: no-op
    batch.refresh_from_db()
    assert batch.content in (b"", memoryview(b"")) or bytes(batch.content) == b""
    assert Person.objects.filter(organisation=network.org_a, employee_id__startswith="M").count() == 40
    entry = AuditEntry.objects.get(action="import.people")
    assert entry.actor == network.lead.user


def test_a_mass_deactivation_is_shown_first_and_needs_the_tick(network: Any) -> None:
    client = lead_client(network)
    upload(client, network, THREE_PEOPLE)  # the immediate backend runs the preview at once
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEWED
    page = client.get(reverse("org:import_preview", args=[batch.pk])).content.decode()
    warning = page.index("This import deactivates 8 of the 8 active people.")
    assert warning < page.index("What the import does")
    assert 'name="allow_deactivation"' in page and "required" in page

    # Posting without the tick (a crafted request, or the browser check bypassed) imports nothing.
    response = client.post(reverse("org:import_confirm", args=[batch.pk]), follow=True)
    assert "tick the box" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
    assert active_in_a(network) == 8 and not Person.objects.filter(employee_id="N1").exists()
    client.post(reverse("org:import_confirm", args=[batch.pk]), {"allow_deactivation": "wrong"})
    assert active_in_a(network) == 8

    client.post(reverse("org:import_confirm", args=[batch.pk]), {"allow_deactivation": "on"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED, batch.summary
    assert active_in_a(network) == 3


def test_a_small_deactivation_needs_no_tick(network: Any) -> None:
    keep = Person.objects.filter(organisation=network.org_a).exclude(pk=network.colleague.pk)
    lines = ["employee_id,given_name,family_name,unit_id,role"] + [
        f"{p.employee_id},{p.given_name},{p.family_name},{p.unit.unit_id},{p.role.name}" for p in keep
    ]
    client = lead_client(network)
    upload(client, network, "\n".join(lines) + "\n")
    batch = ImportBatch.objects.get()
    assert batch.summary["counts"]["deactivated"] == 1 and not batch.summary["notices"]
    assert (
        "allow_deactivation"
        not in client.get(reverse("org:import_preview", args=[batch.pk])).content.decode()
    )
    client.post(reverse("org:import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    assert active_in_a(network) == 7


def test_the_guard_holds_at_import_time_too(network: Any, settings: Any) -> None:
    """Previewed as harmless, but by the time it is confirmed most people would go: refused."""
    settings.TASKS = DUMMY
    client = lead_client(network)
    everyone = Person.objects.filter(organisation=network.org_a)
    lines = ["employee_id,given_name,family_name,unit_id,role"] + [
        f"{p.employee_id},{p.given_name},{p.family_name},{p.unit.unit_id},{p.role.name}" for p in everyone
    ]
    upload(client, network, "\n".join(lines[:2]) + "\n" + "\n".join(lines[2:]) + "\n")
    batch = ImportBatch.objects.get()
    import_batch_preview(batch_id=batch.pk)
    client.post(reverse("org:import_confirm", args=[batch.pk]))
    Person.objects.filter(organisation=network.org_a).update(is_active=True)
    for n in range(40):  # 40 more active people, none of them in the file
        Person.objects.create(
            organisation=network.org_a,
            employee_id=f"X{n}",
            given_name="X",
            family_name="Y",
            unit=network.unit1,
            role=network.employee.role,
        )
    assert import_batch_apply(batch_id=batch.pk) == ImportBatch.Status.REFUSED
    assert active_in_a(network) == 48


def test_the_errors_kept_in_a_batch_are_capped(network: Any) -> None:
    client = lead_client(network)
    bad = "employee_id,given_name,family_name,unit_id,role\n" + "".join(
        f"E{n},,Ek,NOPE,lärare\n" for n in range(3000)
    )
    upload(client, network, bad)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.REFUSED
    assert len(batch.summary["errors"]) == 1000 and batch.summary["error_count"] == 6000
    page = client.get(reverse("org:import_preview", args=[batch.pk])).content.decode()
    assert "6000 errors" in page and "Only the first 1000 are listed." in page
    assert len(page) < 1_000_000


def test_a_task_that_fails_marks_the_batch(network: Any, settings: Any, monkeypatch: Any) -> None:
    settings.TASKS = DUMMY
    upload(lead_client(network), network, THREE_PEOPLE)
    batch = ImportBatch.objects.get()

    def broken(**_kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("kompetenslyft.org.import_batches.import_file", broken)
    with pytest.raises(RuntimeError):
        import_batch_preview(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert "unexpected error" in batch.summary["errors"][0]["message"]


def test_unconfirmed_uploads_are_purged_after_the_retention_period(network: Any, settings: Any) -> None:
    settings.KOMPETENSLYFT_IMPORT_RETENTION_DAYS = 7
    user = network.lead.user
    old = timezone.now() - dt.timedelta(days=8)

    def batch(status: str, created: dt.datetime) -> ImportBatch:
        b = ImportBatch.objects.create(
            organisation=network.org_a, kind="units", filename="u.csv", content=b"x" * 100, uploaded_by=user
        )
        ImportBatch.objects.filter(pk=b.pk).update(status=status, created_at=created)
        return b

    stale = [batch(s, old) for s in ("previewed", "refused", "checking", "failed")]
    kept = [batch("applied", old), batch("importing", old), batch("previewed", timezone.now())]
    call_command("purge_imports")
    remaining = set(ImportBatch.objects.values_list("pk", flat=True))
    assert remaining == {b.pk for b in kept}
    assert not remaining & {b.pk for b in stale}
    assert import_batches_purge(days=0, now=timezone.now() + dt.timedelta(seconds=1)) == 1
    with pytest.raises(CommandError):
        call_command("purge_imports", "--days", "-1")


def test_an_upload_purges_stale_batches_on_its_way(network: Any) -> None:
    stale = ImportBatch.objects.create(
        organisation=network.org_a,
        kind="units",
        filename="u.csv",
        content=b"x",
        uploaded_by=network.lead.user,
    )
    ImportBatch.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(days=30))
    upload(lead_client(network), network, "unit_id,name\nU9,Nio\n", kind="units")
    assert not ImportBatch.objects.filter(pk=stale.pk).exists()


# --- the command line ------------------------------------------------------------------------


def test_the_cli_refuses_a_mass_deactivation_unless_allowed(
    network: Any, tmp_path: Path, capsys: Any
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(THREE_PEOPLE, encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import", "people", str(path), "--organisation", "alpha")
    assert info.value.returncode == 2
    err = capsys.readouterr().err
    assert "would deactivate 8 of the 8 active people" in err and "--allow-deactivation" in err
    assert active_in_a(network) == 8
    with pytest.raises(CommandError):
        call_command("import", "people", str(path), "--organisation", "alpha", "--dry-run")
    call_command("import", "people", str(path), "--organisation", "alpha", "--allow-deactivation")
    assert active_in_a(network) == 3


def test_cli_imports_record_the_operating_system_user(network: Any, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_text("unit_id,name\nU9,Nio\n", encoding="utf-8")
    call_command("import", "units", str(path), "--organisation", "alpha")
    entry = AuditEntry.objects.get(action="import.units")
    assert entry.actor is None
    assert entry.actor_label == f"{getpass.getuser()} (command line)"
    assert AuditEntry.objects.get(action="unit.created").actor_label == entry.actor_label


def test_the_page_names_every_kind_and_a_preview_lists_only_its_kinds_counts(network: Any) -> None:
    from kompetenslyft.learning.models import Module

    client = lead_client(network)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("org:import")).content.decode()
    assert "<h1>Import a file</h1>" in page and "Import units or people" not in page
    Module.objects.create(
        organisation=network.org_a, code="M1", name="M", category="c", level="basic", format="onsite", hours=1
    )
    evaluations = "module_code,date,motivated\nM1,2026-03-10,4\nM1,2026-03-10,3\n"
    upload(client, network, evaluations, kind="evaluations")
    batch = ImportBatch.objects.get(kind="evaluations")
    preview = client.get(reverse("org:import_preview", args=[batch.pk])).content.decode()
    table = preview.split("What the import does")[1].split("</table>")[0]
    assert "New" in table and "People marked as having answered" in table
    for people_only in ("Moved", "Back again", "Deactivated (not in the file)", "New roles"):
        assert people_only not in table, people_only
    # the people's preview keeps its own
    upload(client, network, THREE_PEOPLE)
    batch = ImportBatch.objects.get(kind="people")
    people = client.get(reverse("org:import_preview", args=[batch.pk])).content.decode()
    assert "Deactivated (not in the file)" in people and "New roles" in people


def test_a_link_names_the_kind_the_upload_form_starts_with(network: Any) -> None:
    """The indicator page links to the import with ?kind=indicator_values: the form starts on
    that kind (a new user uploading without changing the list got the units' errors)."""
    client = lead_client(network)
    page = client.get(reverse("org:import") + "?kind=indicator_values").content.decode()
    assert '<option value="indicator_values" selected>' in page
    assert client.get(reverse("org:import") + "?kind=nonsense").status_code == 400
    assert '<option value="units" selected>' not in client.get(reverse("org:import")).content.decode()
