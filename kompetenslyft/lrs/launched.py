"""What a cmi5 launch's client may do (ADR 0014): the client made at the fetch is bound to the
launched person. It records statements about that person only, reads and writes the documents
of that person only, never rewrites the platform's ``LMS.LaunchData``, and its statements
complete a module only through the course's units (their moveOn), never by naming another
module's activity."""

from __future__ import annotations

from typing import Any

from . import keys
from .models import Client

LAUNCH_DATA = "LMS.LaunchData"


def launch_agent_key(client: Client) -> str | None:
    """The agent key of the person a cmi5 client was launched for; None for other clients."""
    if client.expires_at is None:
        return None  # only a launch session's client expires (cmi5.fetch): no query per request
    if hasattr(client, "_launch_agent_key"):
        cached: str | None = client._launch_agent_key
        return cached
    from . import emit
    from .models import Cmi5Launch

    launch = Cmi5Launch.objects.filter(client=client).select_related("person").first()
    value = keys.agent_key(emit.actor(launch.person)) if launch is not None else None
    client._launch_agent_key = value  # type: ignore[attr-defined]
    return value


def statement_actor_allowed(client: Client, statement: dict[str, Any]) -> bool:
    bound = launch_agent_key(client)
    return bound is None or keys.agent_key(statement.get("actor")) == bound
