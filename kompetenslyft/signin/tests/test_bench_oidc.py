"""The bench op ``oidc`` signs people in through the local provider and prints the product's
time beside the target, and the provider's apart."""

from __future__ import annotations

from typing import Any

import pytest

from kompetenslyft.bench.runner import OPERATIONS, BenchContext, Figure
from kompetenslyft.core.models import AuditEntry
from kompetenslyft.signin.models import SignInSettings

pytestmark = pytest.mark.django_db


def test_the_bench_op_times_the_products_part_of_the_callback(network: Any) -> None:
    figures: list[Figure] = []
    OPERATIONS["oidc"](BenchContext(synthetic=None, organisation=network.org_a, report=figures.append))  # type: ignore[arg-type]
    product, provider = figures
    assert product.unit == "ms" and product.target == 300.0 and product.value > 0
    assert "the product's time" in product.name
    assert provider.target is None and provider.value > 0
    people = network.org_a.people.filter(is_active=True).exclude(email="").count()
    assert AuditEntry.objects.filter(action="sign_in.oidc").count() == min(people, 10)
    # The bench leaves no provider configured.
    assert not SignInSettings.objects.exists()
