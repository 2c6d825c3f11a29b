"""deploy/stages.yaml is read into settings, and every mistake in it is named by line."""

from __future__ import annotations

import re

import pytest

from deploy.stages import StageError, load_stage, parse_stages
from tests.api_harness import ROOT

GOOD = """\
stages:
  dev:
    region: eu-west-2
    domain: ""
    certificate_arn: ""
    sender: dipforms@area.gov.uk
    alarm_email: alerts@area.gov.uk
    cognito_domain_prefix: dipforms-area
    log_retention_days: 30
    api_rate_limit: 20
    api_burst_limit: 40
    api_concurrency: 5
    allowed_countries: [GB]
    on_destroy: remove
"""


def test_the_shipped_file_has_a_dev_and_a_prod_stage():
    dev, prod = load_stage(ROOT, "dev"), load_stage(ROOT, "prod")
    assert (dev.stack_name, prod.stack_name) == ("dipforms-dev", "dipforms-prod")
    assert prod.keep_data and not dev.keep_data
    assert prod.cognito_domain == (f"https://{prod.cognito_domain_prefix}.auth."
                                   f"{prod.region}.amazoncognito.com")


def test_a_good_stage_is_read_whole():
    [(name, stage)] = parse_stages(GOOD).items()
    assert (name, stage.region, stage.sender, stage.allowed_countries) == (
        "dev", "eu-west-2", "dipforms@area.gov.uk", ("GB",))
    assert (stage.api_rate_limit, stage.api_burst_limit, stage.log_retention_days) == (
        20, 40, 30)


@pytest.mark.parametrize(("setting", "wrong", "expected"), [
    ("region", "us-gov-east-9", "3:13: `region` 'us-gov-east-9' has no Amazon SES"),
    ("sender", "nobody", "6:13: `sender` is 'nobody'"),
    ("log_retention_days", "31", "9:25: `log_retention_days` must be one of"),
    ("api_rate_limit", "lots", "10:21: `api_rate_limit` must be a whole number"),
    ("on_destroy", "maybe", "14:17: `on_destroy` is 'maybe'"),
    ("allowed_countries", "[Britain]", "13:24: `allowed_countries`"),
    ("domain", "dipforms.area.gov.uk", "2:3: stage 'dev': set both `domain`"),
    ("cognito_domain_prefix", "dipforms-aws", "8:28: `cognito_domain_prefix` may not"),
])
def test_each_mistake_is_named_with_its_file_and_line(setting, wrong, expected):
    text = re.sub(rf"(?m)^    {setting}: .*$", f"    {setting}: {wrong}", GOOD)
    with pytest.raises(StageError) as raised:
        parse_stages(text, "deploy/stages.yaml")
    assert str(raised.value).startswith(f"deploy/stages.yaml:{expected}")


def test_an_unknown_setting_is_named_with_the_known_ones():
    with pytest.raises(StageError, match=r"^s.yaml:12:5: `api_concurency` is not a stage "
                       "setting \\(known: alarm_email, allowed_countries"):
        parse_stages(GOOD.replace("api_concurrency", "api_concurency"), "s.yaml")


def test_a_missing_setting_and_a_bad_stage_name_are_named():
    with pytest.raises(StageError, match=r"^x.yaml:2:3: `alarm_email` is missing"):
        parse_stages(GOOD.replace("    alarm_email: alerts@area.gov.uk\n", ""), "x.yaml")
    with pytest.raises(StageError, match=r"^x.yaml:2:3: stage 'Dev-1'"):
        parse_stages(GOOD.replace("  dev:", "  Dev-1:"), "x.yaml")
    with pytest.raises(StageError, match="YAML syntax"):
        parse_stages("stages: [", "x.yaml")


def test_an_unknown_or_missing_stage_says_which_there_are():
    with pytest.raises(StageError, match="no stage 'staging'; the stages are dev, prod"):
        load_stage(ROOT, "staging")
    with pytest.raises(StageError, match="give a stage: --stage dev or --stage prod"):
        load_stage(ROOT, None)
