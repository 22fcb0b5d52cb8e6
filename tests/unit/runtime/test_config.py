"""Settings: read once, from the environment, in `credstack.config`; everything else is handed
them, so these tests build the environment as a mapping instead of patching the process."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from credstack.config import Settings, debug_requested, load_settings
from credstack.errors import CredstackError
from credstack.store.secrets import MasterKey


def test_defaults_put_everything_under_the_data_directory(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={})
    assert settings.data_dir == tmp_path.resolve()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'credstack.db'}"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.base_url_given is False
    assert settings.master_key is None
    assert settings.trust_directory == tmp_path.resolve() / "trusted"
    assert settings.cjk_font is None


def test_every_variable_is_read_here(tmp_path: Path) -> None:
    env = {
        "CREDSTACK_DATA_DIR": str(tmp_path / "data"),
        "CREDSTACK_DATABASE_URL": "postgresql://db/credstack",
        "CREDSTACK_BASE_URL": "https://badges.example/",
        "CREDSTACK_MASTER_KEY": "a2V5",
        "CREDSTACK_TRUST_DIR": str(tmp_path / "trust"),
        "CREDSTACK_CJK_FONT": "/fonts/cjk.ttc",
    }
    settings = load_settings(env=env)
    assert settings.data_dir == (tmp_path / "data").resolve()
    assert settings.database_url == "postgresql://db/credstack"
    assert settings.base_url == "https://badges.example"
    assert settings.base_url_given is True
    assert settings.master_key == "a2V5"
    assert settings.trust_directory == tmp_path / "trust"
    assert settings.cjk_font == Path("/fonts/cjk.ttc")


def test_an_explicit_data_directory_wins_and_empty_variables_count_as_unset(
    tmp_path: Path,
) -> None:
    env = {"CREDSTACK_DATA_DIR": "/elsewhere", "CREDSTACK_BASE_URL": " ", "CREDSTACK_TRUST_DIR": ""}
    settings = load_settings(tmp_path, env=env)
    assert settings.data_dir == tmp_path.resolve()
    assert settings.base_url_given is False
    assert settings.trust_directory == tmp_path.resolve() / "trusted"


def test_settings_built_by_hand_need_only_three_values(tmp_path: Path) -> None:
    settings = Settings(tmp_path, "sqlite://", "https://x.example")
    assert settings.base_url_given is True
    assert settings.trust_directory == tmp_path / "trusted"
    assert settings.master_key_path == tmp_path / "master.key"


def test_debug_is_asked_for_by_a_non_empty_variable() -> None:
    assert debug_requested({"CREDSTACK_DEBUG": "1"}) is True
    assert debug_requested({"CREDSTACK_DEBUG": ""}) is False
    assert debug_requested({}) is False


def test_a_configured_master_key_wins_over_the_file_and_creates_none(tmp_path: Path) -> None:
    key = MasterKey.generate()
    configured = base64.b64encode(key.key).decode()
    path = tmp_path / "master.key"
    assert MasterKey.load_or_create(path, configured) == key
    assert not path.exists()
    assert MasterKey.load(path, configured) == key
    with pytest.raises(CredstackError, match="run `credstack init`"):
        MasterKey.load(path)
    created = MasterKey.load_or_create(path)
    assert path.exists()
    assert MasterKey.load(path) == created


def test_a_bad_configured_master_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CredstackError, match="CREDSTACK_MASTER_KEY is not base64"):
        MasterKey.load(tmp_path / "master.key", "not base64!")
    with pytest.raises(CredstackError, match="must be 32 bytes"):
        MasterKey.load(tmp_path / "master.key", "a2V5")


def test_the_discovery_documents_urls_are_absolute_http_urls(tmp_path: Path) -> None:
    env = {
        "CREDSTACK_PRIVACY_URL": "https://example.org/privacy",
        "CREDSTACK_TERMS_URL": "https://example.org/terms",
        "CREDSTACK_SERVICE_IMAGE_URL": "https://example.org/logo.png",
    }
    settings = load_settings(tmp_path, env=env)
    assert settings.privacy_policy_url == "https://example.org/privacy"
    assert settings.terms_url == "https://example.org/terms"
    assert settings.service_image_url == "https://example.org/logo.png"
    assert load_settings(tmp_path, env={}).privacy_policy_url is None
    for bad in ("/privacy", "ftp://example.org/x", "https://example.org/" + "x" * 2000):
        with pytest.raises(CredstackError, match="CREDSTACK_PRIVACY_URL"):
            load_settings(tmp_path, env={"CREDSTACK_PRIVACY_URL": bad})


def test_plain_http_did_web_from_localhost_is_off_unless_asked(tmp_path: Path) -> None:
    assert not load_settings(tmp_path, env={}).did_web_http_localhost
    for value, allowed in (("1", True), ("true", True), ("0", False), ("", False)):
        env = {"CREDSTACK_DID_WEB_HTTP_LOCALHOST": value}
        assert load_settings(tmp_path, env=env).did_web_http_localhost is allowed


def test_webhooks_to_this_machine_are_allowed_only_when_asked(tmp_path: Path) -> None:
    def allowed(value: str | None) -> bool:
        env = {} if value is None else {"CREDSTACK_WEBHOOKS_ALLOW_LOOPBACK": value}
        return load_settings(tmp_path, env=env).webhooks_allow_loopback

    assert [allowed(v) for v in (None, "", "0", "no", "1", "true", "YES")] == [
        False,
        False,
        False,
        False,
        True,
        True,
        True,
    ]
    with pytest.raises(CredstackError, match="CREDSTACK_WEBHOOKS_ALLOW_LOOPBACK='maybe'"):
        allowed("maybe")


def test_oidc_sign_in_is_set_up_by_three_variables_or_not_at_all(tmp_path: Path) -> None:
    assert load_settings(tmp_path, env={}).oidc is None
    env = {
        "CREDSTACK_OIDC_ISSUER": "https://login.uni.example/",
        "CREDSTACK_OIDC_CLIENT_ID": "credstack",
        "CREDSTACK_OIDC_CLIENT_SECRET": "s3cret",
        "CREDSTACK_OIDC_NAME": "Uni Example",
        "CREDSTACK_OIDC_DOMAINS": "Uni.Example, @staff.uni.example,",
    }
    oidc = load_settings(tmp_path, env=env).oidc
    assert oidc is not None
    assert (oidc.issuer, oidc.client_id, oidc.name) == (
        "https://login.uni.example",
        "credstack",
        "Uni Example",
    )
    assert oidc.domains == ("staff.uni.example", "uni.example")
    assert "s3cret" not in repr(oidc)
    minimal = {k: v for k, v in env.items() if "NAME" not in k and "DOMAINS" not in k}
    assert load_settings(tmp_path, env=minimal).oidc.name == "your institution"  # type: ignore[union-attr]
    for missing in ("CREDSTACK_OIDC_CLIENT_ID", "CREDSTACK_OIDC_CLIENT_SECRET"):
        with pytest.raises(CredstackError, match="or none of them"):
            load_settings(tmp_path, env={k: v for k, v in env.items() if k != missing})
    for issuer in ("http://login.uni.example", "ftp://x", "https://login.uni.example/?a=1"):
        with pytest.raises(CredstackError, match="CREDSTACK_OIDC_ISSUER"):
            load_settings(tmp_path, env=env | {"CREDSTACK_OIDC_ISSUER": issuer})
    local = load_settings(tmp_path, env=env | {"CREDSTACK_OIDC_ISSUER": "http://127.0.0.1:9400"})
    assert local.oidc is not None and local.oidc.issuer == "http://127.0.0.1:9400"
    with pytest.raises(CredstackError, match="CREDSTACK_OIDC_DOMAINS"):
        load_settings(tmp_path, env=env | {"CREDSTACK_OIDC_DOMAINS": "not a domain"})


def test_the_outbox_sweep_is_bounded_seconds(tmp_path: Path) -> None:
    assert load_settings(tmp_path, env={}).outbox_sweep_seconds is None
    every = {"CREDSTACK_OUTBOX_SWEEP_SECONDS": "3600"}
    assert load_settings(tmp_path, env=every).outbox_sweep_seconds == 3600
    for bad in ("0", "3601", "-5", "1.5", "soon"):
        with pytest.raises(CredstackError, match="CREDSTACK_OUTBOX_SWEEP_SECONDS"):
            load_settings(tmp_path, env={"CREDSTACK_OUTBOX_SWEEP_SECONDS": bad})


def test_the_import_batch_size_is_paced_unless_bounded_rows_are_given(tmp_path: Path) -> None:
    assert load_settings(tmp_path, env={}).import_batch_rows is None
    fixed = {"CREDSTACK_IMPORT_BATCH_ROWS": "250"}
    assert load_settings(tmp_path, env=fixed).import_batch_rows == 250
    for bad in ("0", "10001", "-5", "1.5", "many"):
        with pytest.raises(CredstackError, match="CREDSTACK_IMPORT_BATCH_ROWS"):
            load_settings(tmp_path, env={"CREDSTACK_IMPORT_BATCH_ROWS": bad})
