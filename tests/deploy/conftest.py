"""Each stage of deploy/stages.yaml synthesized once per test session, offline, with
cdk-nag's packs (a finding without its acknowledgement fails the synthesis)."""

from __future__ import annotations

import pytest

from deploy.stages import load_stage
from deploy.synth import synthesize
from tests.api_harness import ROOT


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory):
    """stage name -> Synthesis, made on first use."""
    made = {}

    def get(stage: str):
        if stage not in made:
            made[stage] = synthesize(ROOT, load_stage(ROOT, stage),
                                     tmp_path_factory.mktemp(f"deploy-{stage}"))
        return made[stage]

    return get


@pytest.fixture(scope="session")
def prod(synthesized):
    return synthesized("prod")


@pytest.fixture(scope="session")
def dev(synthesized):
    return synthesized("dev")
