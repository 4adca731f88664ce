"""Every setting is documented in the README (datasette-style docs check)."""
from __future__ import annotations

from index.settings import SETTINGS, public_settings
from tests.conftest import ROOT


def test_every_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in readme]
    assert not missing, f"README lacks: {missing}"


def test_secrets_are_never_shown(monkeypatch):
    monkeypatch.setenv("PLANQA_ADMIN_KEY", "super-secret")
    shown = public_settings()
    assert shown["admin_key"] == "(set)" and "super-secret" not in str(shown)
