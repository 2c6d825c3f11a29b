"""deploy/stages.yaml -> one frozen StageSettings per stage, or `file:line: what is wrong`.

Pure: parses text (with the generator's span-keeping YAML loader, so every problem names
its line) and checks values; reads no file itself. `load_stage` is the one-line edge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.parse.load import load_yaml
from generator.spans import Mapping, Node, Scalar, Sequence, Span

STAGES_FILE = Path("deploy") / "stages.yaml"
STAGE_NAME = re.compile(r"[a-z][a-z0-9]{0,9}")
#: CloudWatch Logs accepts only these retention periods (days).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)
#: Regions where SES sends e-mail (AWS general reference, "Amazon SES endpoints and quotas",
#: December 2026). A region outside it stops the deploy before anything is made.
SES_REGIONS = frozenset((
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ca-central-1", "eu-central-1", "eu-central-2", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-north-1", "eu-south-1", "il-central-1", "me-south-1",
    "me-central-1", "sa-east-1"))
EMAIL = re.compile(r"[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
DOMAIN = re.compile(r"([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")
COGNITO_PREFIX = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
CERTIFICATE = re.compile(r"arn:aws:acm:us-east-1:\d{12}:certificate/[0-9a-f-]{36}")
COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class StageSettings:
    name: str
    region: str
    domain: str
    certificate_arn: str
    sender: str
    alarm_email: str
    cognito_domain_prefix: str
    log_retention_days: int
    api_rate_limit: int
    api_burst_limit: int
    api_concurrency: int
    allowed_countries: tuple[str, ...]
    on_destroy: str           # keep | remove

    @property
    def stack_name(self) -> str:
        return f"dipforms-{self.name}"

    @property
    def cognito_domain(self) -> str:
        """The hosted UI's base URL, known before anything is deployed."""
        return f"https://{self.cognito_domain_prefix}.auth.{self.region}.amazoncognito.com"

    @property
    def keep_data(self) -> bool:
        return self.on_destroy == "keep"


class StageError(ValueError):
    """A problem in stages.yaml, as `file:line:col: message`."""


def _fail(span: Span, message: str) -> StageError:
    return StageError(f"{span}: {message}")


def _text(node: Node | None, key: str, span: Span, pattern: re.Pattern | None = None,
          *, optional: bool = False, hint: str = "") -> str:
    if node is None:
        raise _fail(span, f"`{key}` is missing: add it{hint}")
    if not isinstance(node, Scalar) or isinstance(node.value, (bool, int, float)):
        raise _fail(node.span if hasattr(node, "span") else span,
                    f"`{key}` must be text{hint}")
    value = str(node.value or "").strip()
    if not value and optional:
        return ""
    if not value or (pattern is not None and not pattern.fullmatch(value)):
        raise _fail(node.span, f"`{key}` is {value!r}{hint}")
    return value


def _number(node: Node | None, key: str, span: Span, low: int, high: int) -> int:
    if node is None:
        raise _fail(span, f"`{key}` is missing: add a whole number from {low} to {high}")
    value = node.value if isinstance(node, Scalar) else None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(node.span, f"`{key}` must be a whole number from {low} to {high}")
    return value


def parse_stages(text: str, file: str = str(STAGES_FILE)) -> dict[str, StageSettings]:
    root, problems = load_yaml(text, file)
    if problems:
        first = problems[0]
        raise _fail(first.span, first.message)
    stages = root.get("stages") if isinstance(root, Mapping) else None
    if not isinstance(stages, Mapping) or not stages.items:
        raise _fail(root.span if root else Span(file, 1, 1),
                    "`stages:` is missing: add a mapping of stage names (dev, prod) to settings")
    return {name: _stage(name, node, stages.keys[name]) for name, node in stages.items.items()}


def _stage(name: str, node: Node, span: Span) -> StageSettings:
    if not STAGE_NAME.fullmatch(name):
        raise _fail(span, f"stage {name!r}: a stage name is 1 to 10 lower-case letters or "
                    "digits, starting with a letter")
    if not isinstance(node, Mapping):
        raise _fail(span, f"stage {name!r} must be a mapping of settings")
    known = set(StageSettings.__dataclass_fields__) - {"name"}
    for key, key_span in node.keys.items():
        if key not in known:
            raise _fail(key_span, f"`{key}` is not a stage setting (known: "
                        f"{', '.join(sorted(known))})")
    g = node.get
    region = _text(g("region"), "region", span, re.compile(r"[a-z]{2}(-[a-z]+)+-\d"))
    if region not in SES_REGIONS:
        raise _fail(g("region").span, f"`region` {region!r} has no Amazon SES: choose a region "
                    "where SES sends e-mail, such as eu-west-2 (London)")
    domain = _text(g("domain"), "domain", span, DOMAIN, optional=True,
                   hint=": a host name such as dipforms.northshire.gov.uk, or empty")
    certificate = _text(g("certificate_arn"), "certificate_arn", span, CERTIFICATE,
                        optional=True, hint=": an ACM certificate ARN in us-east-1, or empty")
    if bool(domain) != bool(certificate):
        raise _fail(span, f"stage {name!r}: set both `domain` and `certificate_arn`, or "
                    "neither (CloudFront needs the certificate in us-east-1 for the domain)")
    retention = _number(g("log_retention_days"), "log_retention_days", span, 1, 3653)
    if retention not in RETENTION_DAYS:
        raise _fail(g("log_retention_days").span, f"`log_retention_days` must be one of "
                    f"CloudWatch's periods: {', '.join(map(str, RETENTION_DAYS))}")
    rate = _number(g("api_rate_limit"), "api_rate_limit", span, 1, 10000)
    burst = _number(g("api_burst_limit"), "api_burst_limit", span, 1, 5000)
    countries = g("allowed_countries")
    if countries is None:
        raise _fail(span, "`allowed_countries` is missing: add a list such as [GB], or []")
    if not isinstance(countries, Sequence) or not all(
            isinstance(c, Scalar) and COUNTRY.fullmatch(str(c.value)) for c in countries.items):
        raise _fail(countries.span, "`allowed_countries` must be a list of two-letter "
                    "country codes, such as [GB]")
    prefix_node = g("cognito_domain_prefix")
    if prefix_node is not None and any(word in str(getattr(prefix_node, "value", ""))
                                       for word in ("aws", "amazon", "cognito")):
        raise _fail(prefix_node.span, "`cognito_domain_prefix` may not contain 'aws', "
                    "'amazon' or 'cognito' (Cognito refuses it)")
    on_destroy = _text(g("on_destroy"), "on_destroy", span, re.compile("keep|remove"),
                       hint=": keep or remove")
    return StageSettings(
        name=name, region=region, domain=domain, certificate_arn=certificate,
        sender=_text(g("sender"), "sender", span, EMAIL, hint=": an e-mail address"),
        alarm_email=_text(g("alarm_email"), "alarm_email", span, EMAIL,
                          hint=": an e-mail address"),
        cognito_domain_prefix=_text(g("cognito_domain_prefix"), "cognito_domain_prefix", span,
                                    COGNITO_PREFIX, hint=": lower-case letters, digits and "
                                    "hyphens (not 'aws', 'amazon' or 'cognito')"),
        log_retention_days=retention, api_rate_limit=rate, api_burst_limit=burst,
        api_concurrency=_number(g("api_concurrency"), "api_concurrency", span, 1, 1000),
        allowed_countries=tuple(str(c.value) for c in countries.items), on_destroy=on_destroy)


def load_stage(root: Path, name: str | None) -> StageSettings:
    """The named stage of <root>/deploy/stages.yaml; StageError says what to fix."""
    path = root / STAGES_FILE
    stages = parse_stages(path.read_text(encoding="utf-8"), str(STAGES_FILE))
    if not name:
        raise StageError(f"give a stage: --stage {' or --stage '.join(stages)}")
    if name not in stages:
        raise StageError(f"{STAGES_FILE}: no stage {name!r}; the stages are "
                         f"{', '.join(stages)}")
    return stages[name]
