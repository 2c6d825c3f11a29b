"""What each stage's stack makes, asserted on its synthesized template (aws_cdk.assertions):
the properties docs/deploy.md and issue 17 promise, for prod and for dev."""

from __future__ import annotations

import json
import re

import pytest
from aws_cdk.assertions import Match, Template
from chalicelib.contract.roles import ROLES
from chalicelib.settings import load_settings
from chalicelib.store.dynamodb.table import table_definition

from deploy import policies
from web import headers

STAGES = ("dev", "prod")


@pytest.fixture(scope="module", params=STAGES)
def stack(request, synthesized):
    synthesis = synthesized(request.param)
    return synthesis, Template.from_json(synthesis.template)


def _of_type(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def _one(template: dict, kind: str) -> tuple[str, dict]:
    [(name, resource)] = _of_type(template, kind).items()
    return name, resource


def test_the_table_is_the_stores_encrypted_under_the_stages_rotating_key(stack):
    synthesis, template = stack
    key_name, key = _one(synthesis.template, "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    template.has_resource_properties("AWS::DynamoDB::Table", {
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": True,
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS",
                             "KMSMasterKeyId": {"Fn::GetAtt": [key_name, "Arn"]}},
        "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True}})
    _, table = _one(synthesis.template, "AWS::DynamoDB::Table")
    store = table_definition("x")
    made = table["Properties"]
    assert made["KeySchema"] == store["KeySchema"]
    assert sorted(made["AttributeDefinitions"], key=str) == sorted(
        store["AttributeDefinitions"], key=str)
    assert sorted(made["GlobalSecondaryIndexes"], key=str) == sorted(
        store["GlobalSecondaryIndexes"], key=str)
    kept = "Retain" if synthesis.stage.keep_data else "Delete"
    assert table["DeletionPolicy"] == kept


def test_the_user_pool_is_invitation_only_with_the_roles_as_groups(stack):
    synthesis, template = stack
    template.has_resource_properties("AWS::Cognito::UserPool", {
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "MfaConfiguration": "OPTIONAL",
        "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
        "Policies": {"PasswordPolicy": {
            "MinimumLength": 14, "RequireLowercase": True, "RequireUppercase": True,
            "RequireNumbers": True, "RequireSymbols": True}},
        "Schema": Match.array_with([Match.object_like({
            "Name": "agency", "AttributeDataType": "String", "Mutable": True})])})
    groups = {g["Properties"]["GroupName"]
              for g in _of_type(synthesis.template, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == set(ROLES)
    _, client = _one(synthesis.template, "AWS::Cognito::UserPoolClient")
    props = client["Properties"]
    assert props["GenerateSecret"] is False
    assert props["AllowedOAuthFlows"] == ["code"]
    assert props["AllowedOAuthScopes"] == ["openid"]
    assert props["AllowedOAuthFlowsUserPoolClient"] is True
    assert "custom:agency" not in props.get("WriteAttributes", [])
    callbacks = json.dumps(props["CallbackURLs"])
    assert "/signed-in.html" in callbacks and "/cy/signed-in.html" in callbacks
    template.has_resource_properties("AWS::Cognito::UserPoolDomain", {
        "Domain": synthesis.stage.cognito_domain_prefix})


def test_the_site_bucket_is_private_versioned_encrypted_and_tls_only(stack):
    synthesis, template = stack
    for bucket in _of_type(synthesis.template, "AWS::S3::Bucket").values():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    for policy in _of_type(synthesis.template, "AWS::S3::BucketPolicy").values():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and s["Condition"] == {
            "Bool": {"aws:SecureTransport": "false"}} for s in statements)


def test_cloudfront_serves_https_only_through_origin_access_control(stack):
    synthesis, template = stack
    _, distribution = _one(synthesis.template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert {b["ViewerProtocolPolicy"] for b in behaviours} <= {"redirect-to-https",
                                                                "https-only"}
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == ["/v1/*"]
    site_origin = next(o for o in config["Origins"] if "S3OriginConfig" in o)
    assert site_origin["OriginAccessControlId"]
    assert site_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    api_origin = next(o for o in config["Origins"] if "CustomOriginConfig" in o)
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api_origin["OriginPath"] == f"/{synthesis.stage.name}"
    assert config["Restrictions"]["GeoRestriction"] == {
        "RestrictionType": "whitelist", "Locations": list(synthesis.stage.allowed_countries)}
    template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)


def test_every_answer_carries_the_pages_own_security_headers(stack):
    synthesis, _ = stack
    _, policy = _one(synthesis.template, "AWS::CloudFront::ResponseHeadersPolicy")
    config = policy["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    assert security["ContentSecurityPolicy"]["ContentSecurityPolicy"] == \
        headers.content_security_policy([synthesis.stage.cognito_domain])
    assert "unsafe-inline" not in security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 86400
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == headers.REFERRER_POLICY
    [custom] = config["CustomHeadersConfig"]["Items"]
    assert (custom["Header"], custom["Value"]) == ("Permissions-Policy",
                                                   headers.PERMISSIONS_POLICY)
    _, distribution = _one(synthesis.template, "AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    for behaviour in (config["DefaultCacheBehavior"], *config["CacheBehaviors"]):
        assert "ResponseHeadersPolicyId" in behaviour


def test_the_api_is_throttled_and_logs_no_personal_data(stack):
    synthesis, _ = stack
    api = synthesis.template["Resources"]["RestAPI"]["Properties"]
    [settings] = api["MethodSettings"]
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (
        synthesis.stage.api_rate_limit, synthesis.stage.api_burst_limit)
    assert settings["DataTraceEnabled"] is False      # no request bodies in the logs
    logged = json.loads(api["AccessLogSetting"]["Format"])
    assert not {"$context.identity.sourceIp", "$context.authorizer.claims.email"} & set(
        logged.values())


def test_every_log_group_is_encrypted_and_kept_for_the_stages_days(stack):
    synthesis, _ = stack
    groups = _of_type(synthesis.template, "AWS::Logs::LogGroup")
    names = {json.dumps(g["Properties"].get("LogGroupName")) for g in groups.values()}
    for logical in policies.FUNCTIONS.values():
        assert json.dumps(f"/aws/lambda/{synthesis.stage.stack_name}-{logical}") in names
    for group in groups.values():
        assert group["Properties"]["RetentionInDays"] == synthesis.stage.log_retention_days
        assert "KmsKeyId" in group["Properties"]


def test_the_alarms_watch_dead_letters_5xx_errors_and_throttles(stack):
    synthesis, _ = stack
    alarms = list(_of_type(synthesis.template, "AWS::CloudWatch::Alarm").values())
    watched = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms}
    assert {("dipforms", "DeadLettered"), ("AWS/ApiGateway", "5XXError"),
            ("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"),
            ("AWS/SQS", "ApproximateNumberOfMessagesVisible")} <= watched
    functions = {json.dumps(d["Value"]) for a in alarms
                 for d in a["Properties"]["Dimensions"] if d["Name"] == "FunctionName"}
    assert functions == {json.dumps({"Ref": logical}) for logical in policies.FUNCTIONS.values()}
    topic, _ = next((n, t) for n, t in _of_type(synthesis.template, "AWS::SNS::Topic").items()
                    if n.startswith("AlarmTopic"))
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]
    dead = next(a for a in alarms if a["Properties"]["MetricName"] == "DeadLettered")
    assert dead["Properties"]["Dimensions"] == [{"Name": "Stage",
                                                 "Value": synthesis.stage.name}]
    [subscription] = _of_type(synthesis.template, "AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"] == synthesis.stage.alarm_email


def _function_policies(template: dict) -> dict[str, list[dict]]:
    """Chalice function name -> the statements of its role's own policy."""
    resources = template["Resources"]
    found = {}
    for name, logical in policies.FUNCTIONS.items():
        role = resources[logical]["Properties"]["Role"]["Fn::GetAtt"][0]
        [policy] = [r for r in resources.values() if r["Type"] == "AWS::IAM::ManagedPolicy"
                    and {"Ref": role} in r["Properties"].get("Roles", [])]
        found[name] = policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def test_each_function_has_its_own_role_and_no_action_is_a_wildcard(stack):
    synthesis, _ = stack
    resources = synthesis.template["Resources"]
    roles = {json.dumps(resources[logical]["Properties"]["Role"])
             for logical in policies.FUNCTIONS.values()}
    assert len(roles) == len(policies.FUNCTIONS)
    for kind in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
        for policy in _of_type(synthesis.template, kind).values():
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                for action in [actions] if isinstance(actions, str) else actions:
                    assert action != "*" and not action.endswith(":*"), action


def test_only_x_ray_is_allowed_on_every_resource(stack):
    synthesis, _ = stack
    for function, statements in _function_policies(synthesis.template).items():
        for statement in statements:
            if statement["Effect"] == "Allow" and statement["Resource"] == "*":
                assert statement["Sid"] == "Tracing", (function, statement)
                assert all(a.startswith("xray:") for a in statement["Action"])


def test_mail_and_topics_are_scoped_to_the_stages_sender_and_topics(stack):
    synthesis, _ = stack
    statements = _function_policies(synthesis.template)
    mail = [s for s in statements["deliver_notifications"] if s.get("Sid") == "Mail"]
    [mail] = mail
    assert synthesis.stage.sender in json.dumps(mail["Resource"])
    for function in ("api_handler", "sweep_deadlines"):
        assert not [s for s in statements[function]
                    if any(a.startswith(("ses:", "sns:")) for a in s["Action"])]


def test_the_history_is_never_deleted_nor_the_audit_updated(stack):
    synthesis, _ = stack
    for statements in _function_policies(synthesis.template).values():
        denies = {s["Sid"]: s for s in statements if s["Effect"] == "Deny"}
        never_deleted = denies["HistoryNeverDeleted"]
        assert never_deleted["Action"] == "dynamodb:DeleteItem"
        assert set(never_deleted["Condition"]["ForAnyValue:StringLike"][
            "dynamodb:LeadingKeys"]) == {"RECORD#*", "AUDIT#*", "OUTBOX#*", "CASE#*"}
        assert denies["AuditNeverUpdated"]["Condition"]["ForAnyValue:StringLike"][
            "dynamodb:LeadingKeys"] == ["AUDIT#*"]


def test_every_setting_the_functions_read_comes_from_the_stack(stack):
    synthesis, _ = stack
    resources = synthesis.template["Resources"]
    for logical in policies.FUNCTIONS.values():
        variables = resources[logical]["Properties"]["Environment"]["Variables"]
        assert variables["DIPFORMS_STORE"] == "dynamodb"
        assert variables["DIPFORMS_AUTH"] == "cognito"
        assert variables["DIPFORMS_STAGE"] == synthesis.stage.name
        table, = _of_type(synthesis.template, "AWS::DynamoDB::Table")
        assert variables["DIPFORMS_TABLE"] == {"Ref": table}
        secret, = _of_type(synthesis.template, "AWS::SecretsManager::Secret")
        assert variables["DIPFORMS_SECRET_ARN"] == {"Ref": secret}
        assert variables["DIPFORMS_SITE_PARAMETER"] == f"/dipforms/{synthesis.stage.name}/site"
        pool, = _of_type(synthesis.template, "AWS::Cognito::UserPool")
        assert variables["DIPFORMS_COGNITO_USER_POOL_ID"] == {"Ref": pool}
        assert resources[logical]["Properties"]["KmsKeyArn"]
        # the functions' settings module reads them as the stack wrote them
        plain = {k: v for k, v in variables.items() if isinstance(v, str)}
        settings = load_settings(plain)
        assert (settings.store, settings.auth, settings.sender) == (
            "dynamodb", "cognito", synthesis.stage.sender)
    parameter, = _of_type(synthesis.template, "AWS::SSM::Parameter").values()
    assert parameter["Properties"]["Name"] == f"/dipforms/{synthesis.stage.name}/site"


def test_no_placeholder_reaches_a_deployable_stage(stack):
    """The hand-edited `eu-west-2_EXAMPLE` and `example-client-id` of the old Chalice
    config must never come back: everything the functions need is made by the stack."""
    synthesis, _ = stack
    text = synthesis.template_file.read_text()
    assert not re.search(r"EXAMPLE|example-client-id|example\.org", text)
    from tests.api_harness import ROOT

    assert "EXAMPLE" not in (ROOT / "api" / ".chalice" / "config.json").read_text()


def test_the_site_is_uploaded_with_the_app_client_put_in_at_deploy_time(stack):
    from deploy.stack import CLIENT_ID_MARKER

    synthesis, _ = stack
    _, upload = _one(synthesis.template, "Custom::CDKBucketDeployment")
    markers = upload["Properties"]["SourceMarkers"]
    [client] = _of_type(synthesis.template, "AWS::Cognito::UserPoolClient")
    assert markers == [{CLIENT_ID_MARKER: {"Ref": client}}]
    built = synthesis.assembly.parent / "site-build" / "site" / "index.html"
    assert CLIENT_ID_MARKER in built.read_text()
    assert synthesis.stage.cognito_domain in built.read_text()


def test_an_agency_told_by_sns_gets_an_encrypted_topic_the_dispatcher_alone_may_publish_to(
        tmp_path):
    """No route of forms/protocol.yaml uses sns today: give one agency such a route."""
    from deploy.stages import load_stage
    from deploy.synth import synthesize
    from tests.api_harness import ROOT

    protocol = json.loads((ROOT / "api/chalicelib/generated/protocol.json").read_text())
    protocol["routes"].append({**protocol["routes"][0], "channel": "sns",
                               "to": "northshire_cjit"})
    synthesis = synthesize(ROOT, load_stage(ROOT, "dev"), tmp_path, protocol=protocol)
    topics = {name: t for name, t in _of_type(synthesis.template, "AWS::SNS::Topic").items()
              if not name.startswith("AlarmTopic")}
    [(topic, made)] = topics.items()
    assert made["Properties"]["KmsMasterKeyId"]
    variables = synthesis.template["Resources"]["DeliverNotifications"]["Properties"][
        "Environment"]["Variables"]
    assert variables["DIPFORMS_TOPIC_ARNS"] == {"Fn::Join": ["", [
        "northshire_cjit=", {"Ref": topic}]]}
    statements = _function_policies(synthesis.template)
    [publish] = [s for s in statements["deliver_notifications"] if s.get("Sid") == "Topics"]
    assert publish["Resource"] == {"Ref": topic}
    assert not [s for s in statements["api_handler"] if s.get("Sid") == "Topics"]
