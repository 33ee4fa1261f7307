"""The local OpenID provider fixture for these tests."""

from kompetenslyft.signin.testing import oidc_provider  # noqa: F401
