"""The demo data set the crawler walks: the Makefile's ``demo`` target (``load_demo`` and every
``demo_*`` command, in its order) on a tenth of the Jinan city size, and the accounts to walk as.

The commands are read from the Makefile, so a demo command added there is loaded here too, and
the pages it fills are walked without touching the crawler."""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import TestCase

from npohub.demo.accounts import ACCOUNTS, ADMIN_PASSWORD, DEMO_PASSWORD

# Big enough that every demo command finds what it needs (the enforcement demo wants a dozen
# open associations in 历下区, the ratings demo eligible applicants), small enough to load in
# seconds: about 640 registered and 2,900 filed organisations.
SCALE = 0.1
DEMO_COMMAND = re.compile(r"^\t\$\(PY\) manage\.py (demo_[a-z_]+)\s*$")


def demo_commands(makefile: Path | None = None) -> list[str]:
    """The ``demo_*`` commands of the Makefile's ``demo`` target, in order."""
    path = makefile or Path(settings.BASE_DIR) / "Makefile"
    commands: list[str] = []
    in_demo = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("\t"):
            in_demo = line.startswith("demo:")
            continue
        match = DEMO_COMMAND.match(line)
        if in_demo and match:
            commands.append(match.group(1))
    return commands


@dataclass(frozen=True)
class Account:
    username: str
    password: str


def accounts() -> list[Account]:
    """Every demo role's account, the superuser, a founder (a resident who is registering an
    organisation) and a joint-review department member, as ``make demo`` prints them."""
    extra = [Account("admin", ADMIN_PASSWORD)]
    extra += [Account(name, DEMO_PASSWORD) for name in ("founder01", "rev-approval")]
    return [Account(a.username, DEMO_PASSWORD) for a in ACCOUNTS] + extra


@dataclass
class DemoBuild:
    commands: list[str]
    seconds: float
    output: str


def build_demo(scale: float = SCALE) -> DemoBuild:
    """Load the demo into the current database (inside the caller's transaction); callbacks
    registered with ``on_commit`` run as they would after the commands' commits."""
    started = time.perf_counter()
    out = io.StringIO()
    commands = ["demo_accounts", *[c for c in demo_commands() if c != "demo_accounts"]]
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("load_demo", size="city", seed=1, scale=scale, stdout=out)
        for name in commands:
            call_command(name, stdout=out)
    return DemoBuild(commands, time.perf_counter() - started, out.getvalue())
