"""Real clients from the npm registry against the LRS over HTTP (ADR 0014, issue 11):
@xapi/xapi (Node) records and reads statements and a state document, and its completion counts;
an assignable unit built on @xapi/cmi5 runs in Chromium — the employee starts it by clicking from
its journey, the AU fetches its token, initializes, completes, passes and terminates in its
sandbox — and the module is completed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.learning.models import Attendance
from kompetenslyft.lrs import cmi5
from kompetenslyft.lrs.models import SCOPE_READ_ALL, SCOPE_WRITE, Statement
from kompetenslyft.lrs.services import client_create
from kompetenslyft.lrs.tests.cmi5_package import package, structure
from kompetenslyft.lrs.tests.setup import prepare
from kompetenslyft.lrs.verbs import COMPLETED, INITIALIZED, PASSED
from tests.npm.modules import HERE, node, node_modules

from .conftest import log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)

START = re.compile(r"^(Starta|Start)$")


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_xapi_client_records_and_reads_statements_and_state(
    live_server: Any, network: Any, version: str
) -> None:
    work = prepare(network)
    modules = node_modules()
    client, secret = client_create(organisation=work.org_a, name="Node", scopes=[SCOPE_WRITE, SCOPE_READ_ALL])
    script = HERE / "xapi_client.cjs"
    done = subprocess.run(  # noqa: S603 - our own script
        [
            node(),
            str(script),
            f"{live_server.url}/xapi/",
            client.key,
            secret,
            version,
            work.mail.activity_id,
            f"mailto:{work.employee.email}",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
        env={"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin"},
        cwd=modules.parent,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["version"] == version and seen["verb"] == COMPLETED and seen["stored"]
    assert seen["id"] in seen["listed"]
    assert seen["state"] == {"page": 7}
    assert version in seen["about"]
    # The completion from the outside tool counts: the module is completed with its duration.
    [row] = Attendance.objects.filter(person=work.employee, module=work.mail)
    assert (row.status, row.source, str(row.hours)) == ("completed", "lrs", "0.75")


AU_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>E-post</title>
<script src="Cmi5.umd.js"></script></head><body><main><h1>E-post i vården</h1>
<p id="status">startar</p></main><script>
(async () => {
  const status = document.getElementById("status");
  try {
    const cmi5 = new Cmi5();
    await cmi5.initialize();
    await cmi5.complete();
    await cmi5.pass(0.9);
    await cmi5.terminate();
    status.textContent = "klar";
  } catch (error) {
    status.textContent = "fel: " + (error && (error.message || error));
  }
})();
</script></body></html>"""


def test_a_cmi5_unit_from_npm_completes_the_module(
    browser: Any, live_server: Any, network: Any, settings: Any
) -> None:
    # The content host: another host name for the same server (its own origin, no cookies of
    # the platform's), as KOMPETENSLYFT_CMI5_CONTENT_URL is meant to be set in production.
    settings.KOMPETENSLYFT_CMI5_CONTENT_URL = live_server.url.replace("127.0.0.1", "localhost")
    assert "localhost" in settings.KOMPETENSLYFT_CMI5_CONTENT_URL
    work = prepare(network)
    bundle = node_modules() / "@xapi" / "cmi5" / "dist" / "Cmi5.umd.js"
    content = package(structure(), files={"index.html": AU_PAGE.encode(), "Cmi5.umd.js": bundle.read_bytes()})
    cmi5.course_import(organisation=work.org_a, module=work.mail, content=content)

    # The AU's content runs under its sandbox policy: no bypass of the page's CSP here.
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(20000)
    log_in(page, "employee")
    menu_link(page, "Mitt lärande").click()
    panel = page.locator('[data-panel="cmi5"]')
    panel.get_by_role("button", name=START).first.click()
    expect(page.locator("#status")).to_have_text("klar", timeout=30000)
    context.close()

    said = set(Statement.objects.filter(registration__isnull=False).values_list("verb_id", flat=True))
    assert {cmi5.LAUNCHED, INITIALIZED, COMPLETED, PASSED} <= said
    [row] = Attendance.objects.filter(person=work.employee, module=work.mail)
    assert (row.status, row.source) == ("completed", "lrs")


def test_npm_is_there() -> None:
    assert shutil.which("node") and shutil.which("npm")
