"""A locustfile's check before loadgate starts anything: ``python probe.py REPORT LOCUSTFILE [ARGS]``.

Run only as a subprocess (``locustfile_check.py`` starts it, bounded in time): importing Locust
patches the standard library with gevent, and importing the locustfile runs the user's code.
It loads the locustfile the way ``locust`` does and writes a JSON report of what would go wrong:

* the import fails (the error's last line, and the locustfile's line in the traceback);
* there is no User class to run;
* there is a ``LoadTestShape``: Locust would follow the shape's own timeline and ignore the users,
  run time and warm-up loadgate gives it, so the measured window could not be placed;
* the Locust options passed through do not parse (Locust's own parser, with the locustfile's own
  options added), set an option loadgate owns, or name User classes that do not exist;
* Locust's configuration (locust.conf, ~/.locust.conf, pyproject.toml, ``LOCUST_*`` variables),
  which Locust applies beside loadgate's command line, sets an option loadgate owns and does not
  always give on that command line (``--processes``, ``--logfile``, ``--csv`` …).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

# Locust's options a user may pass through; every other option of Locust's own is loadgate's to
# set (an option added in a later Locust is refused until it is judged harmless here).
ALLOWED = {
    "tags",
    "exclude_tags",
    "user_classes",
    "reset_stats",
    "equal_weights",
    "enable_rebalancing",
    "profile",
    "otel",
}
# loadgate gives these on every command line, and the command line wins over the configuration.
ALWAYS_GIVEN = {
    "locustfile", "headless", "host", "num_users", "spawn_rate", "run_time", "stop_timeout",
    "json_file", "html_file", "only_summary", "loglevel", "help", "version",
}  # fmt: skip
# The web UI's options: nothing in a headless run reads them, so a locust.conf kept for
# interactive use may set them.
WEB_UI_ONLY = {
    "web_host", "web_host_display_name", "web_port", "web_auth", "web_login", "tls_cert",
    "tls_key", "web_base_path", "build_path", "legacy_ui",
}  # fmt: skip
INSTEAD = {
    "locustfile": "--locustfile or load.locustfile",
    "host": "--target or target.url",
    "num_users": "--users or load.users",
    "spawn_rate": "--spawn-rate or load.spawn_rate",
    "run_time": "--duration and --warmup",
    "processes": "--processes or load.processes",
    "master": "--expect-workers",
    "master_bind_host": "--master-bind",
    "master_bind_port": "--master-bind",
    "expect_workers": "--expect-workers",
}
ALLOWED_TEXT = (
    "--tags, --exclude-tags, User class names, --reset-stats, --equal-weights, "
    "--enable-rebalancing, --profile, --otel and the locustfile's own options"
)


def main(argv: list[str]) -> int:
    report_path, locustfile, args = Path(argv[0]), argv[1], argv[2:]
    problems: list[dict[str, object]] = []
    try:
        problems = check(locustfile, args)
    finally:
        report_path.write_text(json.dumps({"problems": problems}), encoding="utf-8")
    return 0


def check(locustfile: str, args: list[str]) -> list[dict[str, object]]:
    from locust.main import merge_locustfiles_content

    try:
        users, shapes, _, _ = merge_locustfiles_content([locustfile])
    except BaseException as exc:  # SystemExit too: a locustfile may call sys.exit()
        return [_import_problem(locustfile, exc)]
    problems: list[dict[str, object]] = []
    if not users:
        problems.append(
            _problem(
                "locustfile",
                "User classes",
                "no User class found; allowed: a "
                "locustfile defining a User subclass (e.g. HttpUser) that is not abstract",
            )
        )
    for name in shapes:
        problems.append(
            _problem(
                "locustfile",
                f"class {name}",
                "is a LoadTestShape: Locust would follow the shape's own timeline and ignore the "
                "users, duration and warm-up loadgate gives it, so loadgate could not place the "
                "measured window; allowed: no LoadTestShape — for steps and ramps use the "
                "scenario's load.stages (docs/load.md), or keep the shape in another file",
            )
        )
    problems += _grpc_problems(users)
    return problems + _argument_problems(args, set(users)) + _configuration_problems()


def _grpc_problems(users: dict[str, type]) -> list[dict[str, object]]:
    """With a gRPC target (``LOADGATE_GRPC_TARGET``), every RPC a ``GrpcUser``'s stub can call
    must be one the target serves, asked of its reflection service: a method it lacks would
    fail every call (UNIMPLEMENTED) for the whole run."""
    from harness.values.client_metrics import ENV_GRPC_TARGET

    target = os.environ.get(ENV_GRPC_TARGET)
    stubs: dict[str, type] = {
        name: stub
        for name, user in users.items()
        if isinstance(stub := getattr(user, "stub_class", None), type)
    }
    if target == "":  # the run has no gRPC target: a GrpcUser would have nothing to call
        return [
            _problem(
                "locustfile",
                f"class {name}",
                "is a GrpcUser, but the run has no "
                "gRPC target; allowed: --grpc-target HOST:PORT (with --target), "
                "target.grpc, or service.grpc: true for the reference service",
            )
            for name in stubs
        ]
    if not target or not stubs:
        return []
    import grpc

    from harness.load.grpc_user import stub_methods, unserved_methods

    problems = []
    for name, stub in stubs.items():
        try:
            missing = unserved_methods(stub_methods(stub), target)
        except (grpc.RpcError, grpc.FutureTimeoutError) as exc:
            reason = exc.code().name if isinstance(exc, grpc.RpcError) else "no answer in 5s"
            problems.append(_problem("locustfile", f"class {name}", f"the gRPC target {target} "
                                     f"could not list its methods by reflection ({reason}); "
                                     "allowed: a target serving grpc.reflection"))  # fmt: skip
            continue
        for method in missing:
            problems.append(_problem("locustfile", f"class {name}", f"calls {method}, which the "
                                     f"gRPC target {target} does not serve; allowed: a method "
                                     "its reflection lists (check the .proto the stub was "
                                     "generated from)"))  # fmt: skip
    return problems


def _configuration_problems() -> list[dict[str, object]]:
    from locust.argument_parser import get_empty_argument_parser, setup_parser_arguments

    names: dict[str, str] = {}

    def values(config_files: list[str] | None, environment: dict[str, str]) -> dict[str, object]:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(environment)
        try:
            kwargs = {} if config_files is None else {"default_config_files": config_files}
            parser = get_empty_argument_parser(add_help=False, **kwargs)
            setup_parser_arguments(parser)  # type: ignore[no-untyped-call]
            names.update(
                (a.dest, max(a.option_strings, key=len))
                for a in parser._actions
                if a.option_strings
            )
            parsed: dict[str, object] = vars(parser.parse_known_args([])[0])
            return parsed
        finally:
            os.environ.clear()
            os.environ.update(saved)

    try:
        configured = values(None, dict(os.environ))
        plain = values([], {k: v for k, v in os.environ.items() if not k.startswith("LOCUST_")})
    except (SystemExit, Exception):  # a configuration Locust cannot read fails Locust's own start
        return []
    return [
        _problem(
            "config",
            names.get(dest, dest),
            f"sets {value!r}, which loadgate owns and Locust would apply "
            "beside loadgate's command line; allowed: remove it there (pass the Locust "
            f"options you mean after `--`: {ALLOWED_TEXT})",
        )
        for dest, value in configured.items()
        if dest not in ALLOWED | ALWAYS_GIVEN | WEB_UI_ONLY and value != plain.get(dest)
    ]


def _argument_problems(args: list[str], users: set[str]) -> list[dict[str, object]]:
    from locust.argument_parser import get_empty_argument_parser, get_parser, setup_parser_arguments

    own = get_empty_argument_parser(add_help=True)
    setup_parser_arguments(own)  # type: ignore[no-untyped-call]
    locusts = {action.dest for action in own._actions}
    parser = get_parser()  # with the options the locustfile adds in init_command_line_parser

    def refuse(message: str) -> None:
        raise ValueError(message)

    parser.error = refuse  # type: ignore[method-assign]
    try:
        defaults = vars(parser.parse_args([]))
        given = vars(parser.parse_args(args))
    except ValueError as exc:
        return [_problem("args", "", f"Locust cannot parse them: {exc}; allowed: {ALLOWED_TEXT}")]
    except SystemExit:  # --help, --version: Locust would print and exit
        return [
            _problem(
                "args",
                "",
                f"{' '.join(args)!r} makes Locust print and exit; allowed: {ALLOWED_TEXT}",
            )
        ]
    problems = []
    for action in parser._actions:
        dest = action.dest
        if dest in locusts and dest not in ALLOWED and given.get(dest) != defaults.get(dest):
            instead = f" (loadgate sets it from {INSTEAD[dest]})" if dest in INSTEAD else ""
            written = _written(args, action.option_strings) or "/".join(action.option_strings)
            problems.append(
                _problem(
                    "args",
                    "",
                    f"{written!r} sets Locust's {action.option_strings[-1]}, which "
                    f"loadgate owns{instead}; allowed: {ALLOWED_TEXT}",
                )
            )
    unknown = sorted(
        set(given.get("user_classes") or ()) - set(defaults.get("user_classes") or ()) - users
    )
    if unknown:
        problems.append(
            _problem(
                "args",
                "",
                f"{', '.join(map(repr, unknown))} is not a User class of "
                f"the locustfile; allowed: {', '.join(sorted(users))}",
            )
        )
    return problems


def _written(args: list[str], options: list[str]) -> str | None:
    """The argument as the user wrote it (argparse also accepts abbreviations, ``-u5``, ``--x=y``)."""
    for arg in args:
        name = arg.split("=", 1)[0]
        for option in options:
            long_match = option.startswith("--") and len(name) > 2 and option.startswith(name)
            short_match = (
                not option.startswith("--")
                and name.startswith(option)
                and not name.startswith("--")
            )
            if long_match or short_match:
                return arg
    return None


def _import_problem(locustfile: str, exc: BaseException) -> dict[str, object]:
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    if isinstance(exc, SystemExit):
        last = f"it called sys.exit({exc.code!r})"
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == Path(locustfile).resolve():
            line = frame.lineno  # the locustfile's own line closest to the error
    return _problem("locustfile", "import", f"importing it failed: {last}", line)


def _problem(about: str, field: str, message: str, line: int | None = None) -> dict[str, object]:
    return {"about": about, "field": field, "message": message, "line": line}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
