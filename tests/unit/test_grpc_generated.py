"""The committed gRPC code is exactly what the .proto generates: editing the .proto without
regenerating (``python -m services_under_test.recommender.protos.generate``) fails here."""

from __future__ import annotations

from pathlib import Path

from services_under_test.recommender.protos.generate import GENERATED, ROOT, generate


def test_regenerating_the_grpc_code_changes_nothing(tmp_path: Path) -> None:
    written = generate(tmp_path)

    for committed, fresh in zip(GENERATED, written, strict=True):
        assert fresh.read_bytes() == (ROOT / committed).read_bytes(), (
            f"{committed} differs from what {committed.with_suffix('').name} generates now: "
            "run `python -m services_under_test.recommender.protos.generate` (with the "
            "grpcio-tools of requirements.lock) and commit the result"
        )
