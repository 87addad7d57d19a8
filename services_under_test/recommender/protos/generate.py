"""Regenerate the committed gRPC code from ``recommendations.proto`` with grpcio-tools.

``python -m services_under_test.recommender.protos.generate [--out DIR]`` (default: the
repository, i.e. overwrite the committed files). The .proto is compiled by its path from the
repository's root, so the generated modules import each other as
``services_under_test.recommender.protos.…`` and reflection names the file by that path.
"""

from __future__ import annotations

import argparse
import importlib.resources
from pathlib import Path

__all__ = ["GENERATED", "PROTO", "generate"]

ROOT = Path(__file__).resolve().parents[3]
PROTO = Path("services_under_test/recommender/protos/recommendations.proto")
GENERATED = tuple(
    PROTO.with_name(PROTO.stem + suffix) for suffix in ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")
)


def generate(out: Path) -> list[Path]:
    """Compile the .proto into ``out`` (the package folders under it); the files written."""
    from grpc_tools import protoc  # a build tool: only regeneration (and its test) needs it

    includes = importlib.resources.files("grpc_tools") / "_proto"
    status = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{ROOT}",
            f"-I{includes}",
            f"--python_out={out}",
            f"--pyi_out={out}",
            f"--grpc_python_out={out}",
            str(ROOT / PROTO),
        ]
    )
    if status != 0:
        raise RuntimeError(f"protoc failed on {PROTO} (exit {status})")
    return [out / path for path in GENERATED]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="root to write under")
    for path in generate(parser.parse_args().out):
        print(path)


if __name__ == "__main__":
    main()
