"""Report known vulnerabilities in the installed Python packages (pip-audit) and the web app's
runtime npm packages (npm audit). Report only: it always exits 0, so CI never fails because a
registry is down, and it says plainly when an audit could not run instead of claiming "no findings".

    python backend/scripts/dependency_audit.py [--web-dir web] [--timeout 25]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess  # nosec B404  # runs two fixed audit commands, no shell, no user input
import sys
from pathlib import Path


def _run(command: list[str], *, cwd: Path | None, timeout: float) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(  # noqa: S603  # nosec B603  # fixed argument list, no shell
            command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return None


def pip_audit_report(payload: dict) -> tuple[list[str], int, int]:
    """(finding lines, audited count, skipped count) from `pip-audit -f json` output."""
    findings: list[str] = []
    audited = skipped = 0
    for dependency in payload.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped += 1
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            findings.append(f"{dependency['name']} {dependency.get('version', '?')}: {vuln['id']} (fixed in {fixed})")
    return findings, audited, skipped


def audit_python(timeout: float) -> None:
    print("== pip-audit (installed Python packages) ==")
    command = [sys.executable, "-m", "pip_audit", "--local", "--skip-editable", "--progress-spinner", "off"]
    result = _run([*command, "--timeout", "10", "-f", "json"], cwd=None, timeout=timeout)
    if result is None:
        print(f"NOTICE: pip-audit did not finish within {timeout:.0f} s; the vulnerability service is unreachable.")
        return
    try:
        payload = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        print(f"NOTICE: pip-audit could not run (exit {result.returncode}): {result.stderr.strip()[-500:]}")
        return
    findings, audited, skipped = pip_audit_report(payload)
    if audited == 0:
        print(f"NOTICE: no package could be audited ({skipped} skipped); the vulnerability service is unreachable.")
        return
    for line in findings:
        print(f"VULNERABLE: {line}")
    print(f"{audited} packages audited, {skipped} skipped, {len(findings)} known vulnerabilities.")


def npm_audit_report(payload: dict) -> tuple[list[str], bool]:
    """(finding lines, whether the audit ran) from `npm audit --json` output."""
    if "vulnerabilities" not in payload:
        return [], False
    findings = [
        f"{name}: {info.get('severity', '?')} ({info.get('range', '?')})"
        for name, info in sorted(payload["vulnerabilities"].items())
    ]
    return findings, True


def audit_npm(web_dir: Path, timeout: float) -> None:
    print("== npm audit --omit=dev (web app runtime packages) ==")
    npm = shutil.which("npm")
    if npm is None or not (web_dir / "package-lock.json").is_file():
        print("NOTICE: npm or web/package-lock.json not found; the web app was not audited.")
        return
    result = _run([npm, "audit", "--omit=dev", "--json"], cwd=web_dir, timeout=timeout)
    if result is None:
        print(f"NOTICE: npm audit did not finish within {timeout:.0f} s; the registry is unreachable.")
        return
    try:
        payload = json.loads(result.stdout or "{}")
    except json.JSONDecodeError:
        payload = {}
    findings, ran = npm_audit_report(payload)
    if not ran:
        reason = payload.get("message") or result.stderr.strip()[-300:] or f"exit {result.returncode}"
        print(f"NOTICE: npm audit could not reach the registry's audit service: {reason}")
        return
    for line in findings:
        print(f"VULNERABLE: {line}")
    print(f"{len(findings)} vulnerable npm packages.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web-dir", type=Path, default=Path("web"))
    parser.add_argument("--timeout", type=float, default=25.0, help="seconds each audit may take")
    args = parser.parse_args()
    audit_python(args.timeout)
    audit_npm(args.web_dir, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
