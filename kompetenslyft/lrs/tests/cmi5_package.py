"""A small cmi5 course package built in memory for the tests (and the npm-driven AU)."""

from __future__ import annotations

import io
import zipfile

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


def structure(units: str | None = None, *, namespace: str = NS, prolog: str = "") -> str:
    units = (
        units
        if units is not None
        else """
  <au id="https://content.example/mail/au1" moveOn="CompletedAndPassed" masteryScore="0.8">
    <title><langstring lang="sv-SE"> E-post i vården </langstring></title>
    <description><langstring lang="sv-SE">Grunder</langstring></description>
    <url>index.html?lang=sv</url>
    <launchParameters>mode=quick</launchParameters>
  </au>"""
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>{prolog}
<courseStructure xmlns="{namespace}">
  <course id="https://content.example/mail">
    <title><langstring lang="sv-SE">E-post grund</langstring></title>
    <description><langstring lang="sv-SE">Kurs</langstring></description>
  </course>{units}
</courseStructure>"""


def package(xml: str | None = None, files: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if xml is not None:
            archive.writestr("cmi5.xml", xml)
        for name, data in (
            files if files is not None else {"index.html": b"<!doctype html><p>Hej</p>"}
        ).items():
            archive.writestr(name, data)
    return buffer.getvalue()
