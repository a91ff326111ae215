"""Repository-wide pytest set-up: the shared fixtures (real Kafka and PostgreSQL, fresh databases and topics,
tokens) live in lianrong_platform.testing."""

import os
import secrets

pytest_plugins = ["lianrong_platform.testing.fixtures"]

# The oversight service refuses to run without a pseudonym secret of its installation: the tests are one.
os.environ.setdefault("OVERSIGHT_PSEUDONYM_KEY", secrets.token_urlsafe(48))
