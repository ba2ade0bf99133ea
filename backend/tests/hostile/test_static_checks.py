"""The dependency audit reports findings and says when it could not audit, instead of claiming "none"."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "dependency_audit.py"


def _load():
    spec = importlib.util.spec_from_file_location("dependency_audit", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pip_audit_findings_and_skips_are_counted():
    audit = _load()
    payload = {
        "dependencies": [
            {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}]},
            {"name": "httpx", "version": "0.28.1", "vulns": []},
            {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    findings, audited, skipped = audit.pip_audit_report(payload)
    assert findings == ["jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)"]
    assert (audited, skipped) == (2, 1)


def test_npm_audit_error_payload_is_not_a_clean_report():
    audit = _load()
    assert audit.npm_audit_report({"message": "405 Method Not Allowed"}) == ([], False)
    findings, ran = audit.npm_audit_report({"vulnerabilities": {"vite": {"severity": "moderate", "range": "<5.4.6"}}})
    assert ran and findings == ["vite: moderate (<5.4.6)"]


def test_unreachable_registries_print_a_notice_and_exit_zero(monkeypatch, tmp_path, capsys):
    audit = _load()
    (tmp_path / "package-lock.json").write_text("{}")
    monkeypatch.setattr(audit, "_run", lambda *_args, **_kwargs: None)  # both audits time out
    monkeypatch.setattr(sys, "argv", ["dependency_audit.py", "--web-dir", str(tmp_path)])
    assert audit.main() == 0
    out = capsys.readouterr().out
    assert "NOTICE: pip-audit did not finish" in out
    assert "NOTICE: npm audit did not finish" in out or "NOTICE: npm or web/package-lock.json not found" in out
