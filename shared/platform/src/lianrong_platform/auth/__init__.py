"""Request authentication: Ed25519-signed JWT bearer tokens carrying a role and the subject acted for."""

from lianrong_platform.auth.principal import Principal, Role
from lianrong_platform.auth.verify import TokenVerifier, authenticated, require

__all__ = ["Principal", "Role", "TokenVerifier", "authenticated", "require"]
