"""Test-run environment: development mode (local secrets, plain-HTTP cookies on loopback)."""

import os

os.environ.setdefault("GOVCX_DEV", "1")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
