"""The GitHub Actions workflows are valid and do what the README says they do.

actionlint cannot be installed from a package registry here (its PyPI wrapper downloads the binary
from GitHub), so the files are checked against the GitHub workflow JSON schema that check-jsonschema
vendors (SchemaStore's), plus the project's own expectations.
"""
import subprocess
import sys

import yaml

from sitebuild import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name):
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def steps_text(workflow):
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", ""))
                     for job in workflow["jobs"].values() for step in job["steps"])


def test_workflows_match_the_github_schema():
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             "vendor.github-workflows", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: push\njobs:\n  a:\n    steps: 3\n")
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             "vendor.github-workflows", str(broken)], capture_output=True, text=True)
    assert result.returncode != 0


def test_site_workflow_builds_strict_tests_and_deploys_from_main():
    workflow = load("site.yml")
    text = steps_text(workflow)
    assert "mkdocs build --strict" in text
    assert "python -m pytest" in text
    assert "pip install -r requirements.txt" in text
    deploy = [s for job in workflow["jobs"].values() for s in job["steps"] if "gh-deploy" in str(s.get("run"))]
    assert len(deploy) == 1 and "refs/heads/main" in deploy[0]["if"]
    assert "SITE_FRESH=1 mkdocs gh-deploy" in deploy[0]["run"]  # readers get freshly executed output only


def test_gpu_workflow_runs_the_cuda_tests_on_a_gpu_runner():
    workflow = load("gpu.yml")
    job = next(iter(workflow["jobs"].values()))
    assert "self-hosted" in job["runs-on"] and "gpu" in job["runs-on"]
    text = steps_text(workflow)
    assert "pytest -m cuda" in text
    assert "mkdocs build --strict" in text
