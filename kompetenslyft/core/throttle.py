"""Counting requests per key in the database (rate limits shared by every app process)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import RequestThrottle


def throttle_key(*parts: str) -> str:
    """A fixed-length key; e-mail and client addresses are not stored in the clear."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@transaction.atomic
def throttle_hit(*, key: str, limit: int, window: dt.timedelta) -> bool:
    """Count one request for ``key``; true while the window holds at most ``limit`` of them."""
    now = timezone.now()
    RequestThrottle.objects.filter(window_started_at__lt=now - window - dt.timedelta(days=1)).delete()
    counter, _created = RequestThrottle.objects.get_or_create(key=key, defaults={"window_started_at": now})
    counter = RequestThrottle.objects.select_for_update().get(pk=counter.pk)
    if counter.window_started_at <= now - window:
        counter.window_started_at, counter.count = now, 0
    counter.count += 1
    counter.save(update_fields=["window_started_at", "count"])
    return counter.count <= limit


def client_address(request: HttpRequest) -> str:
    """The client's address: behind ``AXES_PROXY_COUNT`` trusted proxies (production), the
    entry of X-Forwarded-For that the nearest proxy saw; otherwise the socket's address."""
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "unknown")
