"""The container stack, read without Docker: docker-compose.yml, the Dockerfile, .dockerignore,
.env.example, requirements.lock and deploy/.

Each defect that issue 15 found in the stack has a check below (a function that lists what is wrong).
Every check passes on the files as they are, and fails on the files as they were before
(tests/ops/stack_before/), so none of them can pass by accident. `.ci/run` also validates the compose
file with Debian's docker-compose (`config -q`).
"""

import http.server
import json
import os
import re
import runpy
import socket
import subprocess
import sys
import threading
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from django.test import Client, override_settings
from django.urls import reverse
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
BEFORE = Path(__file__).resolve().parent / "stack_before"
APP_SERVICES = ("web", "worker", "beat")
# The secrets .env must give; the rest of .env.example's values are defaults.
TEST_ENV = {"SECRET_KEY": "test-secret-key", "POSTGRES_PASSWORD": "test0password"}


# --- Reading the files ----------------------------------------------------------------------------


@dataclass
class Stack:
    compose: dict
    dockerfile: str
    dockerignore: str | None
    env_example: str | None
    root: Path

    @property
    def services(self) -> dict:
        return self.compose.get("services", {})

    def read(self, relative: str) -> str | None:
        path = self.root / relative
        return path.read_text() if path.is_file() else None


def _read(path: Path) -> str | None:
    return path.read_text() if path.is_file() else None


def load_stack(root: Path) -> Stack:
    return Stack(
        compose=yaml.safe_load((root / "docker-compose.yml").read_text()),
        dockerfile=(root / "Dockerfile").read_text(),
        dockerignore=_read(root / ".dockerignore"),
        env_example=_read(root / ".env.example"),
        root=root,
    )


@pytest.fixture(scope="module")
def stack() -> Stack:
    return load_stack(ROOT)


@pytest.fixture(scope="module")
def stack_before() -> Stack:
    return load_stack(BEFORE)


_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value, env: dict):
    """Compose's interpolation of one value: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
    and $$ for a literal $. A missing required variable raises KeyError."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2), match.group(3)
        current = env.get(name)
        unset = current is None or (current == "" and operator and operator.startswith(":"))
        if operator and operator.endswith("?") and unset:
            raise KeyError(f"{name}: {argument}")
        if operator and operator.endswith("-") and unset:
            return argument
        return current or ""

    return _VAR.sub(replace, value)


def compose_variables(compose: dict) -> set[str]:
    """Every ${VAR} (and $VAR) that compose fills in from the environment or .env."""
    names = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            names.update(m.group(1) or m.group(4) for m in _VAR.finditer(value) if m.group(0) != "$$")

    walk(compose)
    return names


def service_env(stack: Stack, name: str) -> dict:
    """The environment a service gets, as compose resolves it: its env_file (.env: here .env.example
    with the test secrets filled in) under its `environment`, interpolated from that same .env."""
    dotenv = {**env_example_values(stack.env_example or ""), **TEST_ENV}
    service = stack.services[name]
    result = dict(dotenv) if service.get("env_file") else {}
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    result.update({key: str(interpolate(value, dotenv)) for key, value in environment.items()})
    return result


def env_example_values(text: str) -> dict:
    values = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def env_example_names(text: str) -> set[str]:
    """The variables .env.example sets or documents (commented out: `# NAME=value`)."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def command_text(command) -> str:
    return " ".join(command) if isinstance(command, list) else str(command or "")


def healthcheck_text(service: dict) -> str:
    test = (service.get("healthcheck") or {}).get("test") or []
    if isinstance(test, str):
        return test
    return " ".join(test[1:]) if test and test[0] in ("CMD", "CMD-SHELL") else ""


# The Dockerfile: instructions with their continuation lines joined, split into stages.


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    instructions, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue
        current += " " + stripped[:-1] if stripped.endswith("\\") else " " + stripped
        if not stripped.endswith("\\"):
            keyword, _, rest = current.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
            current = ""
    return instructions


def dockerfile_stages(text: str) -> list[list[tuple[str, str]]]:
    stages = []
    for keyword, rest in dockerfile_instructions(text):
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def copies_everything(rest: str) -> bool:
    args = [a for a in rest.split() if not a.startswith("--")]
    return len(args) >= 2 and args[0] in (".", "./")


# .dockerignore, as Docker reads it: the last matching pattern decides; `!` re-includes; a pattern
# that matches a folder leaves out everything in it; `*` stays within one path segment, `**` does not.


def _pattern_regex(pattern: str) -> re.Pattern:
    parts = []
    for segment in pattern.strip("/").split("/"):
        if segment == "**":
            parts.append("(?:.*)")
        else:
            parts.append("".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in segment))
    regex = "/".join(parts).replace("(?:.*)/", "(?:.*/)?")
    return re.compile(f"^{regex}$")


def dockerignored(path: str, dockerignore: str | None) -> bool:
    if dockerignore is None:
        return False
    rules = []
    for line in dockerignore.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        rules.append((negate, _pattern_regex(pattern.removeprefix("./").lstrip("/"))))
    segments = path.split("/")
    candidates = ["/".join(segments[: i + 1]) for i in range(len(segments))]
    ignored = False
    for candidate in candidates:
        for negate, regex in rules:
            if regex.match(candidate):
                ignored = not negate
        if ignored and candidate != path:
            return True  # a folder left out takes everything in it along
    return ignored


# --- The checks: each returns what is wrong (empty: nothing) -----------------------------------------


def check_dockerignore(stack: Stack) -> list[str]:
    """`COPY . .` must not bake the virtualenv, the data, the history, the secrets or test output in."""
    problems = []
    if stack.dockerignore is None:
        return ["there is no .dockerignore"]
    for path in (".venv/bin/python", "var/db.sqlite3", "var/private/cv.pdf", "var/mail/reset.eml", ".git/config",
                 ".env", ".env.production", "node_modules/x/index.js", ".pytest_cache/v/cache",
                 "accounts/__pycache__/views.cpython-311.pyc", "htmlcov/index.html", "test-results/trace.zip"):
        if not dockerignored(path, stack.dockerignore):
            problems.append(f"{path} would be in the image")
    for path in ("manage.py", "config/settings/production.py", "requirements.lock", "deploy/gunicorn.conf.py",
                 "deploy/healthcheck.py", "static/favicon.svg", "locale/fr/LC_MESSAGES/django.mo", "bench/floor.py"):
        if dockerignored(path, stack.dockerignore):
            problems.append(f"{path} is needed in the image but left out")
    return problems


def mount_points(stack: Stack, volume_name: str, services=("web", "worker")) -> dict[str, set[str]]:
    """Where each service mounts the named volume."""
    return {
        name: {
            volume.split(":")[1]
            for volume in stack.services.get(name, {}).get("volumes", [])
            if isinstance(volume, str) and volume.split(":")[0] == volume_name
        }
        for name in services
    }


def check_private_media_writable(stack: Stack) -> list[str]:
    """The private-media volume's mount point exists in the image, owned by the runtime user, created
    before USER (a named volume takes the ownership of the folder it is first mounted on)."""
    targets = set().union(*mount_points(stack, "private-media").values())
    if not targets:
        return ["no private-media volume is mounted in web and worker"]
    return writable_in_image(stack, targets)


def writable_in_image(stack: Stack, targets: set[str]) -> list[str]:
    problems = []
    final = dockerfile_stages(stack.dockerfile)[-1]
    users = [i for i, (keyword, _) in enumerate(final) if keyword == "USER"]
    if not users or final[users[-1]][1].split(":")[0] in ("root", "0"):
        return ["the runtime stage does not switch to a non-root user"]
    user = final[users[-1]][1].split(":")[0]
    made, owned = set(), set()
    for keyword, rest in final[: users[-1]]:
        if keyword != "RUN":
            continue
        for command in re.split(r"&&|;|\|\|", rest):
            words = command.split()
            if not words:
                continue
            args = [word for word in words[1:] if not word.startswith("-")]
            for target in targets:
                if words[0] == "mkdir" and any(p == target or p.startswith(target + "/") for p in args):
                    made.add(target)
                if words[0] == "chown" and args and args[0].split(":")[0] == user and any(
                    p == target or ("-R" in words and target.startswith(p.rstrip("/") + "/")) for p in args[1:]
                ):
                    owned.add(target)
    for target in sorted(targets - made):
        problems.append(f"{target} is not created in the image before USER {user}")
    for target in sorted(targets - owned):
        problems.append(f"{target} is not owned by {user} before USER {user}")
    return problems


def check_metrics_shared(stack: Stack) -> list[str]:
    """Task durations are recorded in the worker and served by web: both write their metrics to one
    folder (PROMETHEUS_MULTIPROC_DIR) on one volume, writable by the runtime user, which migrate
    empties before they start (counters left by processes of an older image would add up forever)."""
    folders = {name: service_env(stack, name).get("PROMETHEUS_MULTIPROC_DIR") for name in ("web", "worker")}
    if not folders["web"] or folders["web"] != folders["worker"]:
        return ["web and worker do not write their metrics to one folder (PROMETHEUS_MULTIPROC_DIR)"]
    folder = folders["web"]
    volumes = {
        volume.split(":")[0]
        for name in ("web", "worker")
        for volume in stack.services.get(name, {}).get("volumes", [])
        if isinstance(volume, str) and volume.split(":")[1] == folder
    }
    if len(volumes) != 1 or not all(folder in points for points in mount_points(stack, *volumes).values()):
        return [f"{folder} is not one volume mounted in both web and worker"]
    problems = writable_in_image(stack, {folder})
    (volume,) = volumes
    if folder not in mount_points(stack, volume, ("migrate",))["migrate"] or not re.search(
        rf"(find {re.escape(folder)} -mindepth 1 -delete|rm -rf {re.escape(folder)}/\*)",
        command_text(stack.services["migrate"].get("command")),
    ):
        problems.append(f"migrate does not empty {folder} before web and worker start")
    return problems


def check_multi_stage_image(stack: Stack) -> list[str]:
    """A builder stage and a slim runtime stage that runs as a non-root user and has collected the
    static files at build time."""
    problems = []
    stages = dockerfile_stages(stack.dockerfile)
    if len(stages) < 2:
        problems.append("the Dockerfile has a single stage")
    final = stages[-1]
    if "slim" not in final[0][1]:
        problems.append("the runtime stage is not a slim image")
    if "collectstatic" not in stack.dockerfile:
        problems.append("collectstatic does not run at build")
    if not any(keyword == "COPY" and "--from=" in rest for keyword, rest in final):
        problems.append("the runtime stage does not copy from a builder stage")
    return problems


def check_locked_dependency_layer(stack: Stack) -> list[str]:
    """Dependencies install from the lock file, with hashes, in a layer that comes before the code is
    copied, so a code change reuses it."""
    problems = []
    if stack.read("requirements.lock") is None:
        problems.append("there is no requirements.lock")
    for stage in dockerfile_stages(stack.dockerfile):
        installs = [
            i for i, (keyword, rest) in enumerate(stage)
            if keyword == "RUN" and re.search(r"\b(pip|uv pip) (install|sync)\b", rest)
        ]
        if not installs:
            continue
        locked = [i for i in installs if "requirements.lock" in stage[i][1] and "--require-hashes" in stage[i][1]]
        if not locked:
            return problems + ["the dependencies do not install from requirements.lock with --require-hashes"]
        code_copies = [i for i, (keyword, rest) in enumerate(stage) if keyword == "COPY" and copies_everything(rest)]
        if code_copies and code_copies[0] < locked[0]:
            problems.append("the code is copied before the locked dependencies install")
        for keyword, rest in stage[: locked[0]]:
            if keyword == "COPY" and "--from=" not in rest:
                sources = [a for a in rest.split() if not a.startswith("--")][:-1]
                if any(s not in ("requirements.lock", "pyproject.toml") for s in sources):
                    problems.append(f"COPY {rest} before the dependency layer invalidates its cache")
        if any(re.search(r"pip install[^&]*\s\.(\s|$)", rest) for keyword, rest in stage if keyword == "RUN"):
            problems.append("the project itself is pip-installed (resolving dependencies outside the lock)")
        return problems
    return problems + ["no stage installs the dependencies"]


def check_one_build(stack: Stack) -> list[str]:
    """One image, built once: a single service builds it, the others run it by name."""
    problems = []
    builders = [name for name, service in stack.services.items() if "build" in service]
    if len(builders) != 1:
        problems.append(f"{len(builders)} services build an image: {builders}")
    images = {stack.services[name].get("image") for name in (*APP_SERVICES, "migrate") if name in stack.services}
    if len(images) != 1 or None in images:
        problems.append(f"web, worker, beat and migrate do not share one image: {images}")
    return problems


def check_migrate_runs_first(stack: Stack) -> list[str]:
    """A one-shot migrate service; web, worker and beat wait for it to complete; web no longer migrates."""
    problems = []
    migrate = stack.services.get("migrate")
    if migrate is None:
        return ["there is no migrate service"]
    if "manage.py migrate" not in command_text(migrate.get("command")):
        problems.append("the migrate service does not run manage.py migrate")
    if str(migrate.get("restart", "no")) not in ("no", "False", "on-failure"):
        problems.append("the migrate service restarts after it exits")
    for name in APP_SERVICES:
        service = stack.services.get(name, {})
        depends = service.get("depends_on") or {}
        if not isinstance(depends, dict) or (depends.get("migrate") or {}).get("condition") != (
            "service_completed_successfully"
        ):
            problems.append(f"{name} does not wait for migrate to complete")
        if "migrate" in command_text(service.get("command")):
            problems.append(f"{name} runs migrations itself")
    return problems


def check_worker_and_beat_healthchecks(stack: Stack) -> list[str]:
    """The worker answers a ping addressed to itself; beat's scheduler loop is seen to be alive."""
    problems = []
    worker = healthcheck_text(stack.services.get("worker", {}))
    if not re.search(r"inspect ping .*(-d|--destination)[ =]celery@\$+\{?HOSTNAME", worker):
        problems.append("the worker's healthcheck does not ping that worker")
    beat = healthcheck_text(stack.services.get("beat", {}))
    if "celerybeat-schedule" not in beat or "-mmin" not in beat:
        problems.append("beat's healthcheck does not check that its schedule file is fresh")
    schedule = re.search(r"--schedule[= ](\S+)", command_text(stack.services.get("beat", {}).get("command")))
    if not schedule or not beat or os.path.dirname(schedule.group(1)) not in beat:
        problems.append("beat's healthcheck does not look where beat writes its schedule")
    web = healthcheck_text(stack.services.get("web", {}))
    web_script = (stack.read("deploy/healthcheck.py") or "") if "deploy/healthcheck.py" in web else ""
    if "/healthz" not in web + web_script:
        problems.append("web's healthcheck does not ask /healthz")
    return problems


def long_running(stack: Stack) -> list[str]:
    return [name for name, service in stack.services.items() if name != "migrate"]


def check_start_periods(stack: Stack) -> list[str]:
    """Every long-running service has a healthcheck with a start period."""
    return [
        f"{name} has no healthcheck with a start_period"
        for name in long_running(stack)
        if not (stack.services[name].get("healthcheck") or {}).get("start_period")
    ]


def check_restart_policies(stack: Stack) -> list[str]:
    return [
        f"{name} has no restart policy"
        for name in long_running(stack)
        if stack.services[name].get("restart") not in ("always", "unless-stopped", "on-failure")
    ]


def published_ports(service: dict) -> list[str]:
    return [str(port) for port in service.get("ports", [])]


def check_tls_proxy(stack: Stack) -> list[str]:
    """Caddy terminates TLS on 443 with its local certificate and proxies to web; web is not published
    on its own; the app knows it is served at https://localhost and trusts the forwarded scheme."""
    problems = []
    proxies = [name for name, service in stack.services.items() if str(service.get("image", "")).startswith("caddy")]
    if not proxies:
        return ["no TLS-terminating proxy (caddy) in front of web"]
    caddy = stack.services[proxies[0]]
    if not any(port.split(":")[-2:] == ["443", "443"] for port in published_ports(caddy)):
        problems.append("the proxy does not publish port 443")
    mounts = [v.split(":") for v in caddy.get("volumes", []) if isinstance(v, str) and ":" in v]
    caddyfiles = [source for source, target, *_ in mounts if target == "/etc/caddy/Caddyfile"]
    caddyfile = stack.read(caddyfiles[0].removeprefix("./")) if caddyfiles else None
    if not caddyfile:
        problems.append("the proxy has no Caddyfile from deploy/")
    else:
        if not re.search(r"^\s*tls internal\s*$", caddyfile, flags=re.MULTILINE):
            problems.append("the Caddyfile has no local certificate (tls internal)")
        if not re.search(r"^\s*reverse_proxy\s+web:8000\b", caddyfile, flags=re.MULTILINE):
            problems.append("the Caddyfile does not proxy to web:8000")
        if re.search(r"header_up\s+X-Forwarded-Proto", caddyfile):
            problems.append("the Caddyfile overrides X-Forwarded-Proto")
    if not {"/data", "/config"} <= {target for _, target, *_ in mounts}:
        problems.append("the proxy's certificates are not kept in volumes (/data, /config)")
    for port in published_ports(stack.services.get("web", {})):
        if not port.startswith("127.0.0.1:"):
            problems.append(f"web is published directly on {port}")
    env = service_env(stack, "web")
    if not env.get("SITE_URL", "").startswith("https://"):
        problems.append(f"SITE_URL is {env.get('SITE_URL')!r}, not https")
    if "https://localhost" not in env.get("CSRF_TRUSTED_ORIGINS", "").split(","):
        problems.append("CSRF_TRUSTED_ORIGINS does not name https://localhost")
    if "localhost" not in env.get("ALLOWED_HOSTS", "").split(","):
        problems.append("ALLOWED_HOSTS does not name localhost")
    if env.get("SECURE_SSL_REDIRECT", "true").lower() in ("false", "0", "no", "off"):
        problems.append("the HTTPS redirect is turned off")
    return problems


def check_mail_catcher(stack: Stack) -> list[str]:
    """The outbox sends over SMTP to a mail catcher in the stack, whose web UI is published on loopback."""
    problems = []
    for name in ("worker", "web"):
        url = service_env(stack, name).get("EMAIL_URL", "")
        match = re.match(r"^smtp://([^:/@]+):(\d+)", url)
        if not match:
            problems.append(f"{name}'s EMAIL_URL is {url!r}, not SMTP")
            continue
        catcher = stack.services.get(match.group(1))
        if catcher is None or "mailpit" not in str(catcher.get("image", "")):
            problems.append(f"{name}'s EMAIL_URL does not point at the Mailpit service")
        elif "127.0.0.1:8025:8025" not in published_ports(catcher):
            problems.append("Mailpit's web UI is not published on 127.0.0.1:8025")
    return problems


def gunicorn_access_log(stack: Stack) -> bool:
    command = command_text(stack.services.get("web", {}).get("command"))
    if not command:
        cmd = [rest for keyword, rest in dockerfile_instructions(stack.dockerfile) if keyword == "CMD"]
        command = " ".join(json.loads(cmd[-1])) if cmd and cmd[-1].startswith("[") else (cmd[-1] if cmd else "")
    if re.search(r"--access-logfile[= ]-(\s|$)", command):
        return True
    config = re.search(r"(?:--config|-c)[= ](\S+)", command)
    if config and (stack.root / config.group(1)).is_file():
        return runpy.run_path(str(stack.root / config.group(1))).get("accesslog") == "-"
    return False


def check_access_log(stack: Stack) -> list[str]:
    return [] if gunicorn_access_log(stack) else ["gunicorn writes no access log"]


def settings_env_names() -> dict[str, bool]:
    """Every variable config/settings reads, and whether production needs it (no default)."""
    names = {}
    pattern = re.compile(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"(\s*\))?")
    for path in sorted((ROOT / "config" / "settings").glob("*.py")):
        if path.name == "test.py":
            continue
        for match in pattern.finditer(path.read_text()):
            required = bool(match.group(2)) and path.name in ("base.py", "production.py")
            names[match.group(1)] = names.get(match.group(1), False) or required
    return names


def check_env_example(stack: Stack) -> list[str]:
    """One documented .env.example: it names every variable compose fills in and every variable the
    settings read, and the stack gives the app every setting production cannot start without."""
    if stack.env_example is None:
        return ["there is no .env.example"]
    problems = []
    documented = env_example_names(stack.env_example)
    for name in sorted(compose_variables(stack.compose) - documented):
        problems.append(f"docker-compose.yml uses ${{{name}}}, which .env.example does not document")
    required = settings_env_names()
    for name in sorted(set(required) - documented):
        problems.append(f"the settings read {name}, which .env.example does not document")
    env = service_env(stack, "web")
    for name in sorted(n for n, needed in required.items() if needed and not env.get(n)):
        problems.append(f"production requires {name}, which the stack does not give web")
    values = env_example_values(stack.env_example)
    if values.get("SECRET_KEY") or values.get("POSTGRES_PASSWORD"):
        problems.append(".env.example ships a secret value")
    return problems


CHECKS = [
    check_dockerignore,
    check_private_media_writable,
    check_multi_stage_image,
    check_locked_dependency_layer,
    check_one_build,
    check_migrate_runs_first,
    check_worker_and_beat_healthchecks,
    check_start_periods,
    check_restart_policies,
    check_tls_proxy,
    check_mail_catcher,
    check_access_log,
    check_env_example,
    check_metrics_shared,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.removeprefix("check_"))
def test_the_stack_is_free_of_the_defect(stack, check):
    assert check(stack) == []


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__.removeprefix("check_"))
def test_the_check_finds_the_defect_in_the_stack_as_it_was(stack_before, check):
    assert check(stack_before), f"{check.__name__} passes on the old files: it proves nothing"


# --- Finer points ---------------------------------------------------------------------------------


def test_dockerignore_matching_follows_docker():
    rules = "var/\n*.log\n**/__pycache__\n.env.*\n!.env.example\n"
    assert dockerignored("var/private/a.pdf", rules)
    assert dockerignored("app.log", rules) and not dockerignored("logs/app.log", rules)  # `*` stays in a segment
    assert dockerignored("a/b/__pycache__/x.pyc", rules)
    assert dockerignored(".env.local", rules) and not dockerignored(".env.example", rules)
    assert not dockerignored("variables.py", rules)


def test_the_env_example_keeps_the_application_settings_commented(stack):
    """The settings also read ./.env outside containers (`make run`), so .env.example sets nothing
    that would change the app there: only the secrets, the database's name and user, and HSTS."""
    values = env_example_values(stack.env_example)
    assert set(values) <= {"SECRET_KEY", "POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB", "SECURE_HSTS_SECONDS"}
    assert values["SECRET_KEY"] == "" and values["POSTGRES_PASSWORD"] == ""


def test_compose_refuses_to_start_without_the_secrets(stack):
    needs = {"SECRET_KEY": ("web", "worker", "beat", "migrate"), "POSTGRES_PASSWORD": ("web", "postgres")}
    for name, services in needs.items():
        for service in services:
            with pytest.raises(KeyError, match=name):
                interpolate(stack.services[service]["environment"], {**TEST_ENV, name: ""})
        interpolate(stack.services[service]["environment"], TEST_ENV)


def test_every_named_volume_is_declared_and_the_data_is_kept(stack):
    declared = set(stack.compose.get("volumes") or {})
    used = {
        volume.split(":")[0]
        for service in stack.services.values()
        for volume in service.get("volumes", [])
        if isinstance(volume, str) and not volume.startswith((".", "/"))
    }
    assert used <= declared
    assert {"pgdata", "private-media", "caddy-data", "caddy-config"} <= used


def test_the_worker_and_beat_get_the_settings_web_gets(stack):
    """The same settings everywhere; only the metrics folder is web's and worker's alone (beat and the
    migrate one-shot record no metrics worth keeping)."""
    web = service_env(stack, "web")
    assert service_env(stack, "worker") == web
    for name in ("beat", "migrate"):
        assert service_env(stack, name) == {k: v for k, v in web.items() if k != "PROMETHEUS_MULTIPROC_DIR"}


def test_the_web_healthcheck_and_the_proxy_wait_for_what_they_need(stack):
    caddy = stack.services["caddy"]
    assert caddy["depends_on"]["web"]["condition"] == "service_healthy"
    for name in (*APP_SERVICES, "migrate"):
        assert stack.services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"


# --- requirements.lock and `make lock` -------------------------------------------------------------


def lock_pins() -> dict[str, tuple[Version, int]]:
    """{normalised name: (version, number of hashes)} from requirements.lock."""
    pins, current = {}, None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (Version(match.group(2)), 0)
        elif current and "--hash=sha256:" in line:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def project_requirements() -> list[Requirement]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [Requirement(spec) for spec in pyproject["project"]["dependencies"]]


def test_the_lock_pins_every_dependency_of_pyproject_within_its_range():
    """A dependency added to pyproject.toml without `make lock` fails here."""
    pins = lock_pins()
    for requirement in project_requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name][0], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name][0]}, outside {requirement}: run `make lock`"
        )


LINUX_311 = {"sys_platform": "linux", "platform_system": "Linux", "python_version": "3.11",
             "python_full_version": "3.11.0", "implementation_name": "cpython", "os_name": "posix"}


def extra_requirements(name: str, extras: set[str], seen: set | None = None) -> set[str]:
    """The packages that `name[extras]` brings in beyond `name` itself, following nested extras
    (celery[redis] -> kombu[redis] -> redis), from the installed packages' metadata."""
    seen = set() if seen is None else seen
    found = set()
    for spec in metadata.requires(name) or []:
        needed = Requirement(spec)
        if not needed.marker:
            continue
        wanted = any(needed.marker.evaluate({**LINUX_311, "extra": extra}) for extra in extras)
        if wanted and not Marker(str(needed.marker)).evaluate({**LINUX_311, "extra": ""}):
            found.add(canonicalize_name(needed.name))
            key = (canonicalize_name(needed.name), frozenset(needed.extras))
            if needed.extras and key not in seen:
                seen.add(key)
                found |= extra_requirements(needed.name, set(needed.extras), seen)
    return found


def test_the_lock_covers_the_extras_asked_for():
    """celery[redis], psycopg[binary]...: what each extra brings in is pinned too."""
    pins = lock_pins()
    assert "redis" in extra_requirements("celery", {"redis"})
    for requirement in project_requirements():
        if requirement.extras:
            missing = extra_requirements(requirement.name, set(requirement.extras)) - set(pins)
            assert not missing, f"{requirement} needs {missing}, which requirements.lock lacks: run `make lock`"


def test_every_pin_is_hashed_and_the_lock_says_how_to_remake_it():
    pins = lock_pins()
    assert pins and all(hashes for _, hashes in pins.values())
    assert "make lock" in (ROOT / "requirements.lock").read_text().splitlines()[1]


def test_make_lock_compiles_pyproject_with_uv():
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lock:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe, "no `lock` target in the Makefile"
    body = recipe.group(1).replace("\\\n", " ")
    assert "uv pip compile pyproject.toml" in body
    for option in ("--generate-hashes", "--python-version 3.11", "--python-platform linux",
                   "--output-file requirements.lock"):
        assert option in body
    # make run and make test still install from pyproject.toml, not from the lock.
    for target in ("$(STAMP)", "$(TEST_STAMP)"):
        install = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
        assert install and re.search(r"pip install --quiet -e '?\.", install.group(1))
        assert "requirements.lock" not in install.group(1)


# --- deploy/: gunicorn's settings and the web healthcheck --------------------------------------------


def test_gunicorn_settings_are_all_known_to_gunicorn_and_log_each_request():
    from gunicorn.config import Config

    values = {
        name: value for name, value in runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py")).items()
        if not name.startswith("_") and not callable(value) and not hasattr(value, "__spec__")
    }
    config = Config()
    unknown = set(values) - set(config.settings)
    assert not unknown, f"gunicorn ignores {unknown}"
    for name, value in values.items():
        config.set(name, value)
    assert config.accesslog == "-"
    # No query string (%(q)s, %(r)s) nor referrer (%(f)s): both can carry what someone typed.
    assert not re.search(r"%\((q|r|f)\)s", config.access_log_format)
    assert "%(U)s" in config.access_log_format and "%(s)s" in config.access_log_format


def test_gunicorns_own_log_is_structured_json(capsys):
    """The master's and workers' messages (start-up, worker timeouts) come out as JSON, as the app's do."""
    import json as json_module
    import logging.config

    from gunicorn.glogging import Logger as GunicornLogger

    settings_ = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert "logconfig_dict" in settings_, "gunicorn's own log is left in its plain text format"
    saved = logging.root.handlers[:], logging.getLogger("gunicorn.error").handlers[:]
    try:
        from gunicorn.config import Config

        config = Config()
        for name in ("logconfig_dict", "errorlog", "accesslog"):
            config.set(name, settings_[name])
        GunicornLogger(config).error("Worker timeout (pid: %s)", 42)
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert json_module.loads(line)["event"] == "Worker timeout (pid: 42)"
    finally:
        logging.root.handlers[:], logging.getLogger("gunicorn.error").handlers[:] = saved
        logging.config.dictConfig(__import__("django.conf").conf.settings.LOGGING)


def test_the_access_log_never_holds_a_password_reset_token():
    """The reset link's path carries the account's id and a secret token: the access log cuts both."""
    import datetime
    import logging
    from types import SimpleNamespace

    from gunicorn.config import Config

    settings_ = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    config = Config()
    for name in ("logger_class", "accesslog", "access_log_format"):
        config.set(name, settings_[name])
    log = config.logger_class(config)
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    log.access_log.handlers[:] = [handler]
    token_path = "/accounts/password/reset/MTA/cd7k2o-5f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c/"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": token_path, "PATH_INFO": token_path, "SERVER_PROTOCOL": "HTTP/1.1",
               "QUERY_STRING": "", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    log.access(response, SimpleNamespace(headers=[("X-FORWARDED-FOR", "203.0.113.7")]), environ,
               datetime.timedelta(milliseconds=3))
    assert lines and "/accounts/password/reset/…/…/" in lines[0]
    assert "cd7k2o" not in lines[0] and "MTA" not in lines[0]


@pytest.fixture
def http_server():
    """A server on loopback answering /healthz with 200 for Host: expected.example, 400 for any other
    Host, and a redirect on /redirect."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.headers["Host"])
            if self.path == "/redirect":
                self.send_response(301)
                self.send_header("Location", "https://expected.example/healthz")
            else:
                self.send_response(200 if self.headers["Host"] == "expected.example" else 400)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_the_web_healthcheck_sends_a_host_that_django_allows(http_server):
    healthcheck = runpy.run_path(str(ROOT / "deploy" / "healthcheck.py"))
    base, seen = http_server
    assert healthcheck["host_header"](" .expected.example, other.example") == "expected.example"
    assert healthcheck["host_header"]("*") == "localhost"
    assert healthcheck["check"](f"{base}/healthz", allowed_hosts="expected.example")
    assert not healthcheck["check"](f"{base}/healthz", allowed_hosts="other.example")  # Django's 400
    assert not healthcheck["check"](f"{base}/redirect", allowed_hosts="expected.example")  # no TLS redirect
    assert seen == ["expected.example", "other.example", "expected.example"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]  # nothing listens there once the socket is closed
    assert not healthcheck["check"](f"http://127.0.0.1:{closed}/healthz", allowed_hosts="expected.example")


# --- The production settings behind the proxy ----------------------------------------------------------


@pytest.fixture(scope="module")
def production_settings(stack):
    """config.settings.production loaded in a fresh interpreter with web's environment from compose."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))},
        **service_env(stack, "web"),
    }
    env["DATABASE_URL"] = "sqlite:///:memory:"  # not connected to: only the settings are read
    code = (
        "import json, config.settings.production as s; print(json.dumps({name: getattr(s, name) for name in "
        "('SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'ALLOWED_HOSTS', "
        "'CSRF_TRUSTED_ORIGINS', 'SITE_URL', 'SECURE_SSL_REDIRECT', 'SECURE_REDIRECT_EXEMPT', 'EMAIL_BACKEND', "
        "'EMAIL_HOST', 'EMAIL_PORT')}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_trust_the_proxy_and_know_the_https_address(production_settings):
    assert production_settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production_settings["SESSION_COOKIE_SECURE"] and production_settings["CSRF_COOKIE_SECURE"]
    assert production_settings["ALLOWED_HOSTS"] == ["localhost"]
    assert production_settings["CSRF_TRUSTED_ORIGINS"] == ["https://localhost"]
    assert production_settings["SITE_URL"] == "https://localhost"
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (production_settings["EMAIL_HOST"], production_settings["EMAIL_PORT"]) == ("mailpit", 1025)


@pytest.mark.django_db
def test_sign_in_works_through_the_proxy_and_not_over_plain_http(production_settings):
    """What Caddy sends (Host: localhost, X-Forwarded-Proto: https) signs in under production's
    security settings; plain HTTP to gunicorn is sent to HTTPS instead."""
    user = UserFactory()
    proxy = {"HTTP_HOST": "localhost", "HTTP_X_FORWARDED_PROTO": "https"}
    with override_settings(
        SECURE_PROXY_SSL_HEADER=tuple(production_settings["SECURE_PROXY_SSL_HEADER"]),
        SECURE_SSL_REDIRECT=True,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
        ALLOWED_HOSTS=production_settings["ALLOWED_HOSTS"],
        CSRF_TRUSTED_ORIGINS=production_settings["CSRF_TRUSTED_ORIGINS"],
    ):
        client = Client(enforce_csrf_checks=True)
        login = reverse("login")
        plain = client.get(login, HTTP_HOST="localhost")
        assert plain.status_code == 301 and plain["Location"] == f"https://localhost{login}"

        page = client.get(login, **proxy)
        assert page.status_code == 200
        assert page.cookies["csrftoken"]["secure"]
        token = page.cookies["csrftoken"].value
        form = {"username": user.email, "password": "pw-roster-test", "csrfmiddlewaretoken": token}

        foreign = client.post(login, form, HTTP_ORIGIN="https://evil.example", **proxy)
        assert foreign.status_code == 403

        signed_in = client.post(login, form, HTTP_ORIGIN="https://localhost", **proxy)
        assert signed_in.status_code == 302, signed_in.content[:500]
        assert signed_in.cookies["sessionid"]["secure"]
