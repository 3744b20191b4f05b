"""How to type ACORN's commands from where the user is, so the commands it suggests work when pasted."""
from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from config.settings import REPO_ROOT


def acorn_command() -> str:
    """`acorn` as the user can type it: the script that is running, else the one installed beside this Python."""
    started = Path(sys.argv[0])
    script = started if started.name == "acorn" else Path(sys.executable).parent / "acorn"
    if script.is_file():
        return program_as_typed(script)
    return f"{program_as_typed(Path(sys.executable))} -m acorn.cli"


def program_as_typed(program: Path) -> str:
    """Its bare name when PATH finds this very program, else its path (relative under the working directory)."""
    found = shutil.which(program.name)
    if found and program.exists() and os.path.samefile(found, program):
        return program.name
    return path_as_typed(program, program=True)


def path_as_typed(path: Path, *, program: bool = False) -> str:
    """`path` quoted for a shell, relative when it lies under the working directory."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return shlex.quote(str(absolute))
    # A program in the working directory itself needs `./`, or the shell searches PATH for it.
    text = f"./{relative}" if program and len(relative.parts) == 1 else str(relative)
    return shlex.quote(text)


def make_command(target: str, **variables: Path) -> str | None:
    """`make TARGET VAR=path` for the repository's Makefile, from wherever the user is; None when not in a clone."""
    if not (REPO_ROOT / "Makefile").is_file():
        return None
    here = Path.cwd().resolve() == REPO_ROOT
    # With -C, make runs in the repository: a relative path would be read from there, so paths go absolute.
    settings = " ".join(f"{name}={path_as_typed(path) if here else shlex.quote(str(Path(path).resolve()))}"
                        for name, path in variables.items())
    prefix = "make" if here else f"make -C {shlex.quote(str(REPO_ROOT))}"
    return f"{prefix} {target}" + (f" {settings}" if settings else "")
