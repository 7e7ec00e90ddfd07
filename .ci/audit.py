"""``make audit``: known vulnerabilities of the locked dependency sets (issue 18).

Python: ``pip-audit`` over the lock files (``--disable-pip --require-hashes``: the pinned
versions exactly as written, nothing installed or resolved) against PyPI's advisory
service. npm: ``npm audit --package-lock-only`` over ``package-lock.json`` against the npm
registry's advisory endpoint. Every finding is printed and both raw reports and a summary
(``audit.json``) are kept in ``--out`` for CI artefacts.

Exit 1 on a known critical vulnerability: any Python finding (PyPI's advisories carry no
severity, so none can be told apart from a critical one) that ``requirements/audit-ignore.txt``
does not list with a reason, and any critical npm finding. An advisory service that cannot
be reached, or that answered for none of the packages, is reported as NOT AUDITED in
capitals; it fails only with ``--strict`` (``make audit AUDIT_STRICT=1``): the project's
own rule is that ``make test`` passes with only the package registries reachable, and their
mirrors do not always serve the advisory endpoints (``docs/decisions.md``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
IGNORE_FILE = REPO / "requirements" / "audit-ignore.txt"
#: Seconds either tool may take; beyond it the service counts as unreachable.
TOOL_TIMEOUT_S = 600


@dataclass
class Audit:
    """One tool's verdict over one locked set."""

    tool: str
    #: ``audited`` (the service answered), or ``not audited`` (why in ``problem``).
    state: str
    findings: list[str] = field(default_factory=list)
    #: The findings that fail the audit (critical, or of unknown severity).
    failing: list[str] = field(default_factory=list)
    problem: str = ""
    packages: int = 0


def ignored_vulns(path: Path = IGNORE_FILE) -> list[str]:
    """Advisory IDs accepted on purpose: one per line, ``ID  # why``; ``#`` lines are comments."""
    if not path.is_file():
        return []
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].strip()
        if text:
            ids.append(text)
    return ids


def read_pip_audit(report: dict[str, Any]) -> Audit:
    """The verdict of a ``pip-audit -f json`` report."""
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    findings = [
        f"{d['name']} {d.get('version', '?')}: {v['id']} (fixed in {_fixes(v)})"
        for d in audited
        for v in d.get("vulns", [])
    ]
    audit = Audit("pip-audit", "audited", findings, list(findings), packages=len(deps))
    if deps and not audited:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in deps})
        audit.state, audit.problem = "not audited", f"no package could be looked up ({'; '.join(reasons)})"
    return audit


def _fixes(vuln: dict[str, Any]) -> str:
    return ", ".join(vuln.get("fix_versions") or ["no release yet"])


def read_npm_audit(report: dict[str, Any]) -> Audit:
    """The verdict of an ``npm audit --json`` report (or of its error report)."""
    if "error" in report or "vulnerabilities" not in report:
        message = report.get("message") or report.get("error", {}).get("summary") or "no report"
        return Audit("npm audit", "not audited", problem=f"the advisory endpoint failed: {message}")
    findings, failing = [], []
    for name, vuln in sorted(report["vulnerabilities"].items()):
        via = vuln.get("via", [])
        titles = sorted({v["title"] for v in via if isinstance(v, dict) and "title" in v})
        line = f"{name} ({vuln['severity']}): " + ("; ".join(titles) or "through " + ", ".join(map(str, via)))
        findings.append(line)
        if vuln["severity"] == "critical":
            failing.append(line)
    total = report.get("metadata", {}).get("dependencies", {}).get("total", 0)
    return Audit("npm audit", "audited", findings, failing, packages=int(total))


def run_pip_audit(locks: list[Path], out: Path) -> Audit:
    raw = out / "pip-audit.json"
    cmd = [
        sys.executable,
        "-m",
        "pip_audit",
        "--disable-pip",
        "--require-hashes",
        "--progress-spinner",
        "off",
    ]
    cmd += ["--format", "json", "--output", str(raw)]
    for lock in locks:
        cmd += ["-r", str(lock)]
    for vuln in ignored_vulns():
        cmd += ["--ignore-vuln", vuln]
    done = _run(cmd)
    if isinstance(done, str):
        return Audit("pip-audit", "not audited", problem=done)
    if not raw.is_file():
        return Audit("pip-audit", "not audited", problem=_last_line(done.stderr) or f"exit {done.returncode}")
    return read_pip_audit(json.loads(raw.read_text(encoding="utf-8")))


def run_npm_audit(out: Path) -> Audit:
    done = _run(["npm", "audit", "--json", "--package-lock-only"], cwd=REPO)
    if isinstance(done, str):
        return Audit("npm audit", "not audited", problem=done)
    (out / "npm-audit.json").write_text(done.stdout, encoding="utf-8")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return Audit("npm audit", "not audited", problem=_last_line(done.stderr) or "no JSON report")
    return read_npm_audit(report)


def _run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str] | str:
    """The finished command, or why it could not run."""
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=TOOL_TIMEOUT_S, cwd=cwd, check=False
        )
    except FileNotFoundError:
        return f"{cmd[0]} is not installed"
    except subprocess.TimeoutExpired:
        return f"no answer within {TOOL_TIMEOUT_S} s"


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def report_lines(audit: Audit) -> list[str]:
    """What the audit prints for one tool."""
    if audit.state != "audited":
        return [
            f"{audit.tool}: NOT AUDITED: {audit.problem}; known vulnerabilities were not checked "
            "(make audit AUDIT_STRICT=1 fails on this)"
        ]
    head = f"{audit.tool}: {audit.packages} packages, {len(audit.findings)} known vulnerabilities"
    lines = [head + (f", {len(audit.failing)} failing" if audit.failing else "")]
    lines += [f"  {'FAIL' if f in audit.failing else 'note'} {f}" for f in audit.findings]
    return lines


def exit_code(audits: list[Audit], *, strict: bool) -> int:
    """1 on a failing finding, or (``strict``) on a set that was not audited."""
    if any(a.failing for a in audits):
        return 1
    return 1 if strict and any(a.state != "audited" for a in audits) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=".ci/audit.py", description=__doc__.splitlines()[0])
    parser.add_argument("locks", nargs="+", type=Path, help="hashed Python lock files")
    parser.add_argument("--out", type=Path, default=REPO / "test-artifacts", help="folder for the reports")
    parser.add_argument("--strict", action="store_true", help="fail when a service cannot be reached")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    audits = [run_pip_audit(args.locks, args.out), run_npm_audit(args.out)]
    for audit in audits:
        print("\n".join(report_lines(audit)))
    summary = [vars(a) for a in audits]
    (args.out / "audit.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return exit_code(audits, strict=args.strict)


if __name__ == "__main__":
    sys.exit(main())
