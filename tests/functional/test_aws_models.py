"""The service models the API's clients load instead of botocore's (aws_clients.SLICED):
each is botocore's own, cut to the operations the API calls and the shapes they reach, so
it must stay equal to what the installed botocore gives. When botocore is upgraded and this
fails, write the slices again:

    .venv/bin/python -m tests.functional.test_aws_models
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import botocore
import botocore.session
from chalicelib.aws_clients import MODELS, SLICED, AwsClients

BOTOCORE_DATA = Path(botocore.__file__).parent / "data"


def sliced(model: dict[str, Any], operations: tuple[str, ...]) -> dict[str, Any]:
    """The model with only `operations`, and every shape their input, output and errors
    reach (through members, list members and map keys and values)."""
    shapes: dict[str, Any] = {}
    waiting = [model["operations"][name][part]["shape"] for name in operations
               for part in ("input", "output") if part in model["operations"][name]]
    waiting += [error["shape"] for name in operations
                for error in model["operations"][name].get("errors", ())]
    while waiting:
        name = waiting.pop()
        if name in shapes:
            continue
        shape = shapes[name] = model["shapes"][name]
        refs = [shape.get("member"), shape.get("key"), shape.get("value"),
                *shape.get("members", {}).values()]
        waiting += [ref["shape"] for ref in refs if ref]
    return {**model, "operations": {name: model["operations"][name] for name in operations},
            "shapes": dict(sorted(shapes.items()))}


def botocore_model(service: str, version: str) -> dict[str, Any]:
    with gzip.open(BOTOCORE_DATA / service / version / "service-2.json.gz") as handle:
        return json.load(handle)


def expected_slices() -> dict[Path, str]:
    return {MODELS / service / version / "service-2.json":
            json.dumps(sliced(botocore_model(service, version), operations), indent=1,
                       sort_keys=True) + "\n"
            for service, (version, operations) in SLICED.items()}


def test_each_slice_is_botocores_own_model_cut_to_the_operations_called():
    for path, text in expected_slices().items():
        assert path.is_file(), f"{path} is missing: python -m tests.functional.test_aws_models"
        assert path.read_text("utf-8") == text, \
            f"{path} differs from botocore's: python -m tests.functional.test_aws_models"


def test_the_clients_load_the_slice_and_keep_only_its_operations(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    ssm = AwsClients("eu-west-2")("ssm")
    assert ssm.meta.service_model.operation_names == ["GetParameter"]
    assert hasattr(ssm, "get_parameter") and not hasattr(ssm, "put_parameter")
    full = botocore.session.get_session().create_client("ssm", region_name="eu-west-2")
    assert (ssm.meta.service_model.operation_model("GetParameter").output_shape.members.keys()
            == full.meta.service_model.operation_model("GetParameter")
            .output_shape.members.keys())


if __name__ == "__main__":
    for path, text in expected_slices().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        print(f"wrote {path} ({len(text)} bytes)")
