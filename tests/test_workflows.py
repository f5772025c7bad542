"""The GitHub Actions workflows are valid and do what the README says they do.

actionlint cannot be installed from a package registry here (its PyPI wrapper downloads the binary
from GitHub), so the files are checked against the GitHub workflow JSON schema that check-jsonschema
vendors (SchemaStore's), plus the project's own expectations.
"""
import re
import subprocess
import sys

import pytest
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
    assert "SITE_FRESH=1 mkdocs build --strict" in text  # readers get freshly executed output only
    assert "python -m pytest" in text
    assert "pip install -r requirements.txt" in text
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "build-test" and "refs/heads/main" in publish["if"]
    assert "git push" in steps_text({"jobs": {"publish": publish}}) and "gh-pages" in str(publish["steps"])


def runs_page_code(job) -> bool:
    return any(word in str(step.get("run", "")) for step in job["steps"] for word in ("mkdocs", "pytest", "python"))


@pytest.mark.parametrize("name", ["site.yml", "gpu.yml"])
def test_jobs_that_run_page_code_can_only_read(name):
    """Page code (every block, in the build and the tests) runs with a read-only token, none left on disk."""
    workflow = load(name)
    assert workflow["permissions"] == {"contents": "read"}
    for job_name, job in workflow["jobs"].items():
        if not runs_page_code(job):
            continue
        assert job.get("permissions", workflow["permissions"]) == {"contents": "read"}, job_name
        for step in job["steps"]:
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, job_name  # no token in .git/config
            assert "secrets." not in str(step) and "github.token" not in str(step), job_name


def test_the_publish_job_runs_no_project_code():
    """The standard split: the read-only job uploads the built site; a job that checks out nothing publishes it."""
    workflow = load("site.yml")
    build, publish = workflow["jobs"]["build-test"], workflow["jobs"]["publish"]
    upload = [s for s in build["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    assert len(upload) == 1 and upload[0]["with"]["path"].rstrip("/") == "site"
    assert publish["permissions"] == {"contents": "write"}
    uses = [str(s.get("uses", "")) for s in publish["steps"]]
    assert [u.split("@")[0] for u in uses if u] == ["actions/download-artifact"]
    assert publish["steps"][0]["with"]["name"] == upload[0]["with"]["name"]
    script = "\n".join(str(s.get("run", "")) for s in publish["steps"])
    commands = [c.split()[0] for line in script.splitlines() for c in re.split(r"&&|;|\|", line.split("#")[0])
                if c.strip()]
    assert commands and set(commands) <= {"cd", "touch", "git"}, commands  # nothing of the project runs here
    assert "container" not in publish  # a plain runner: nothing chosen by the project runs around the steps


@pytest.mark.parametrize("name", ["site.yml", "gpu.yml"])
def test_third_party_actions_are_pinned_to_commits(name):
    for job in load(name)["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_gpu_workflow_runs_the_cuda_tests_on_a_gpu_runner():
    workflow = load("gpu.yml")
    job = next(iter(workflow["jobs"].values()))
    assert "self-hosted" in job["runs-on"] and "gpu" in job["runs-on"]
    text = steps_text(workflow)
    assert "pytest -m cuda" in text
    assert "mkdocs build --strict" in text
