"""Production mode refuses unsafe configuration and passes Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

GOOD_KEY = "k" * 20 + "-production-secret-for-tests-" + "x" * 20


def run_village(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("VILLAGE_")}
    base.pop("DATABASE_URL", None)
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "village", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_village(
        "check",
        VILLAGE_PRODUCTION="1",
        VILLAGE_ALLOWED_HOSTS="village.example.org",
        VILLAGE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "VILLAGE_SECRET_KEY" in result.stderr


def test_production_refuses_the_development_key_and_short_keys(tmp_path):
    result = run_village(
        "check",
        VILLAGE_PRODUCTION="1",
        VILLAGE_SECRET_KEY="short",
        VILLAGE_ALLOWED_HOSTS="village.example.org",
        VILLAGE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_village(
        "check", VILLAGE_PRODUCTION="1", VILLAGE_SECRET_KEY=GOOD_KEY, VILLAGE_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "VILLAGE_ALLOWED_HOSTS" in result.stderr


def test_malformed_boolean_fails_loudly(tmp_path):
    result = run_village("check", VILLAGE_DEBUG="perhaps", VILLAGE_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "VILLAGE_DEBUG='perhaps' is not a boolean" in result.stderr


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = run_village(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        VILLAGE_PRODUCTION="1",
        VILLAGE_SECRET_KEY=GOOD_KEY,
        VILLAGE_ALLOWED_HOSTS="village.example.org",
        VILLAGE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from village import settings as village_settings

    assert village_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("yes", True), ("off", False), ("", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    from village.core.env import env_bool

    monkeypatch.setenv("VILLAGE_SOME_FLAG", raw)
    assert env_bool("VILLAGE_SOME_FLAG", default=not expected) is expected


def test_cache_is_shared_through_redis_when_configured(tmp_path):
    script = (
        "from django.core.cache import caches; cache = caches['default']; "
        "cache.set('village-check', 42, 30); "
        "print(type(cache).__name__, cache.get('village-check'))"
    )
    result = run_village(
        "shell",
        "-c",
        script,
        VILLAGE_CACHE_URL="redis://127.0.0.1:6379/15",
        VILLAGE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["RedisCache", "42"]


def test_cache_defaults_to_files_under_var(tmp_path):
    script = (
        "from django.core.cache import caches; cache = caches['default']; "
        "cache.set('village-check', 7, 30); "
        "print(type(cache).__name__, cache.get('village-check'))"
    )
    result = run_village("shell", "-v", "0", "-c", script, VILLAGE_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["FileBasedCache", "7"]
    assert any((tmp_path / "cache").iterdir())
