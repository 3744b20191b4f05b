"""A dbt process started while the inbox loads, so the build finds dbt imported and the project parsed.

A cold `dbt build` spends about 9 s on a 2-core machine before its first node: importing dbt-core and the adapter,
then reading the project into a manifest. Loading the inbox keeps one core busy in this process and leaves the
other idle; a dbt process started at the beginning of a run does that work there. It parses with the build's vars
and profile through dbt's programmatic API (`dbtRunner`, https://docs.getdbt.com/reference/programmatic-invocations),
then waits. When the run reaches its dbt step, dagster-dbt starts `acorn-dbt` (`relay`) with the build's arguments as
it would start `dbt`; the relay hands its arguments, environment and output pipe to the waiting process, which runs
the build with the parsed manifest into that pipe, so dagster-dbt reads the very events a `dbt` process would write,
and returns dbt's exit code.

The manifest is reused only when the build asks for what was parsed: the same vars, target and profile, and the
same values of the variables dbt reads while parsing (its `DBT_` options but those dagster-dbt sets for each
invocation, ACORN's, and those the project reads through env_var()). Otherwise the waiting process runs
the build without it, and dbt parses as usual. Without a waiting process (a run from `dagster dev`, an install
without the `acorn-dbt` script), the relay runs dbt itself (`os.execv`): the invocation is exactly dbt's.

This module imports only the standard library and `config.settings` at its top: the relay is a process of its own
on every build. The environment travels through `config.settings` (`subprocess_environ`, `adopt_environ`), whose
telemetry switches both sides carry.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from config.settings import adopt_environ, subprocess_environ

RELAY_SCRIPT = "acorn-dbt"
# The relay's own option, removed before dbt sees the arguments: where the waiting process listens.
WARM_OPTION = "--acorn-warm-dbt"
# dbt's options that dagster-dbt sets for each invocation (dagster_dbt/core/resource.py, DbtCliResource.cli); none
# changes what dbt parses, so a build that differs from the parse only in these still reuses the manifest.
INVOCATION_ENV = frozenset({
    "DBT_LOG_FORMAT", "DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR", "DBT_INDIRECT_SELECTION",
})
# Options whose value decides the manifest; every other option (the command, selection, --full-refresh, paths
# dbt writes to) only decides what is done with it.
PARSE_OPTIONS = ("--vars", "--target", "-t", "--profile")
PARTIAL_PARSE = "partial_parse.msgpack"
REUSED = "reused the parsed manifest"
REPARSED = "parsed anew"


def dbt_executable() -> str:
    """The dbt installed beside this Python, so `.venv/bin/acorn` works without the venv on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else "dbt"


def relay_executable() -> str | None:
    """`acorn-dbt` beside this Python; None in an environment installed before it existed."""
    beside = Path(sys.executable).with_name(RELAY_SCRIPT)
    return str(beside) if beside.exists() else None


@dataclass(frozen=True)
class PreparedDbt:
    socket: Path
    log: Path  # what the waiting process decided, one line each (for the run's diagnosis and the tests)


@contextmanager
def prepared_dbt(parse_args: Sequence[str], project_dir: Path, profiles_yaml: str,
                 build_target: Path) -> Iterator[PreparedDbt | None]:
    """A dbt process parsing `project_dir` with `parse_args` (the build's global flags and vars) and a profiles file
    holding `profiles_yaml`, then waiting for one build; stopped on exit. None without `acorn-dbt`.

    It parses in a target directory of its own, starting from the partial parse in `build_target` (the builds'),
    and puts its partial parse back there when done, in one rename: runs side by side never read a half-written one.
    """
    if relay_executable() is None:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="acorn-warm-dbt-") as directory:
        folder = Path(directory)
        (folder / "profiles.yml").write_text(profiles_yaml, encoding="utf-8")
        target = folder / "target"
        target.mkdir()
        if (build_target / PARTIAL_PARSE).exists():
            shutil.copyfile(build_target / PARTIAL_PARSE, target / PARTIAL_PARSE)
        prepared = PreparedDbt(socket=folder / "dbt.sock", log=folder / "warm-dbt.log")
        parse = ["parse", *parse_args, "--profiles-dir", directory, "--target-path", str(target)]
        # Listening before the process starts: a relay that comes while it still starts or parses waits for it.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener, \
                open(prepared.log, "w", encoding="utf-8") as log:
            listener.bind(str(prepared.socket))
            listener.listen(1)
            server = subprocess.Popen(
                [sys.executable, "-m", __name__, str(listener.fileno()), json.dumps(parse), str(build_target)],
                env=subprocess_environ(), cwd=project_dir, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=[listener.fileno()],
            )
        try:
            yield prepared
        finally:
            # Closing its stdin tells a process still waiting to leave; one still building is stopped.
            assert server.stdin is not None
            server.stdin.close()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def parse_inputs(args: Sequence[str], env: dict[str, str],
                 read: Iterable[str] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """What decides the manifest of an invocation: its parse options, and the variables dbt reads while parsing:
    its own `DBT_` options, ACORN's (the profile's), and `read`, those the project's files read through env_var()."""
    options: dict[str, str] = {}
    for index, arg in enumerate(args):
        name, equals, value = arg.partition("=")
        if name in PARSE_OPTIONS:
            options["--target" if name == "-t" else name] = value if equals else (
                args[index + 1] if index + 1 < len(args) else "")
    names = set(read)
    return options, {key: value for key, value in env.items()
                     if (key.startswith(("DBT_", "ACORN_")) or key in names) and key not in INVOCATION_ENV}


def relay() -> None:
    """`acorn-dbt`: the `dbt` dagster-dbt starts. Hands the build to the waiting process, or runs dbt itself."""
    args = sys.argv[1:]
    sockets = [arg.partition("=")[2] for arg in args if arg.startswith(WARM_OPTION + "=")]
    args = [arg for arg in args if not arg.startswith(WARM_OPTION + "=")]
    connection = _connect(sockets[0]) if sockets else None
    if connection is None:
        dbt = dbt_executable()
        os.execv(dbt, [dbt, *args])
    request = json.dumps({"args": args, "env": subprocess_environ(), "cwd": os.getcwd()}).encode() + b"\n"
    socket.send_fds(connection, [request], [sys.stdout.fileno(), sys.stderr.fileno()])
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = connection.recv(64)
        if not chunk:
            print("acorn-dbt: the prepared dbt process ended without an exit code", file=sys.stderr)
            sys.exit(2)
        reply += chunk
    sys.exit(int(reply))


def _connect(path: str) -> socket.socket | None:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
    except OSError:  # no process listens there (it failed to start, or was stopped): dbt runs here instead
        connection.close()
        return None
    return connection


def serve(listening_fd: int, parse_argv: list[str], build_target: Path) -> int:
    """The waiting process: parses, then serves one build to the relay that connects to the socket it inherited."""
    listener = socket.socket(fileno=listening_fd)
    from dbt.cli.main import dbtRunner

    parse_env = subprocess_environ()
    parsed = dbtRunner().invoke(parse_argv)
    manifest = parsed.result if parsed.success else None
    print("parsed" if manifest is not None else f"parse failed: {parsed.exception}", flush=True)
    if manifest is not None:
        _publish(Path(parse_argv[parse_argv.index("--target-path") + 1]) / PARTIAL_PARSE, build_target / PARTIAL_PARSE)
    # Leave when the run that started this process goes away (its end closes stdin) before asking for a build.
    ready, _, _ = select.select([listener, sys.stdin], [], [])
    if listener not in ready:
        return 0
    connection, _ = listener.accept()
    request, fds = _receive(connection)
    # The build's output goes to the relay's pipe; the decision still goes to the log.
    log = os.fdopen(os.dup(1), "w", encoding="utf-8")
    for fd, target in zip(fds, (1, 2), strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    adopt_environ(request["env"])
    # The variables the project's files read through env_var() while parsing, as dbt records them for partial parsing.
    read = list(getattr(manifest, "env_vars", None) or ())
    wanted = parse_inputs(request["args"], request["env"], read)
    parsed_with = parse_inputs(parse_argv, parse_env, read)
    reuse = manifest is not None and wanted == parsed_with
    print(REUSED if reuse else REPARSED, file=log, flush=True)
    if not reuse and manifest is not None:
        differing = {*wanted[0].items() ^ parsed_with[0].items(), *wanted[1].items() ^ parsed_with[1].items()}
        print(f"differs: {', '.join(sorted({name for name, _ in differing}))}", file=log, flush=True)
    result = dbtRunner(manifest=manifest if reuse else None).invoke(request["args"])
    # dbt's own exit codes (dbt/cli/exceptions.py): 0 success, 1 a node failed, 2 dbt itself failed.
    code = 0 if result.success else (2 if result.exception is not None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    connection.sendall(f"{code}\n".encode())
    connection.close()
    return code


def _publish(source: Path, destination: Path) -> None:
    if source.exists():
        destination.parent.mkdir(parents=True, exist_ok=True)
        staged = destination.with_name(f".{destination.name}.{os.getpid()}")
        shutil.copyfile(source, staged)
        os.replace(staged, destination)


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 16, 2)
    while not data.endswith(b"\n"):
        chunk = connection.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the relay left before sending its request")
        data += chunk
    return json.loads(data), fds


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), json.loads(sys.argv[2]), Path(sys.argv[3])))
