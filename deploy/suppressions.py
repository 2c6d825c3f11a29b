"""Every cdk-nag finding the stack accepts, each with its reason, in this one place.

A finding that is not acknowledged here fails the synthesis (synth.py). Keep reasons
specific: what the rule wants, why this stack does otherwise, and what covers the risk.
A path part ending in `*` matches the one child whose id starts with it (the CDK names the
site upload's shared function with a hash).
"""

from __future__ import annotations

UPLOAD = "Custom::CDKBucketDeployment*"
UPLOAD_WHY = ("the CDK's own site-upload function (aws-s3-deployment), run only by "
              "CloudFormation during a deploy to copy site/ into the site bucket; its code "
              "and role are the CDK's")
FUNCTION_POLICIES = ("APIHandlerPolicy", "DeliverNotificationsPolicy", "SweepDeadlinesPolicy")

#: (construct path below the stack, or "" for the whole stack; rule id; reason).
ACKNOWLEDGED: tuple[tuple[str, str, str], ...] = (
    ("StageSecret", "AwsSolutions-SMG4",
     "the secret keys the draft keys and the search terms: rotating it makes every draft "
     "on every device unreadable and every stored search term unmatched, so it is rotated "
     "by hand with a relist (docs/deploy.md#rotating-keys-and-secrets), not on a timer"),
    ("StageSecret", "HIPAA.Security-SecretsManagerRotationEnabled",
     "as AwsSolutions-SMG4: rotated by hand with a relist (docs/deploy.md)"),
    ("Table", "HIPAA.Security-DynamoDBInBackupPlan",
     "point-in-time recovery (35 days, to the second) is on and deletion protection too; "
     "restore is documented in docs/deploy.md#restoring-the-table. An AWS Backup plan "
     "for longer retention is the area's choice, made in AWS Backup"),
    ("UserPool", "AwsSolutions-COG8",
     "the Plus plan's threat protection costs per active user; sign-in is by invited staff "
     "only (no self sign-up), 14-character passwords and TOTP MFA; an area may switch it on"),
    ("UserPool", "AwsSolutions-COG2",
     "MFA is offered (TOTP) and an area may require it by setting the pool's MFA to ON; "
     "not forced here because custody-suite PCs are shared and phones are not always allowed"),
    ("Site", "AwsSolutions-CFR2",
     "a WAF web ACL for CloudFront must live in us-east-1 and costs a month's fee; the API "
     "authenticates every route but health, is throttled, and the site is geo-restricted"),
    ("ScheduleDeadLetters", "AwsSolutions-SQS3",
     "this queue is itself the dead-letter queue of the two scheduled functions (set on "
     "their SAM resources, which cdk-nag does not read), and it is alarmed on"),
    ("ApiGatewayLogsPolicy", "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:"
     "<AWS::Region>:<AWS::AccountId>:log-group:*]",
     "API Gateway's account-wide CloudWatch role writes the logs of the account's APIs in "
     "this region; it is scoped to this account's and region's log groups"),
    *((policy, "AwsSolutions-IAM5[Resource::*]",
       "only for xray:PutTraceSegments and PutTelemetryRecords, which have no resource-level "
       "permissions") for policy in FUNCTION_POLICIES),
    *((policy, "AwsSolutions-IAM5[Resource::<TableCD117FA1.Arn>/index/*]",
       "Query on the table's own three global secondary indexes (listing, due, "
       "audit_actor): an index ARN is the table's ARN plus /index/<name>") for policy in
       FUNCTION_POLICIES),
    ("SiteBucket", "HIPAA.Security-S3BucketReplicationEnabled",
     "the site is public static pages rebuilt from git by every deploy; nothing is lost "
     "with the bucket"),
    ("SiteBucket", "HIPAA.Security-S3DefaultEncryptionKMS",
     "public static pages (no personal data) served through CloudFront's origin access "
     "control; encrypted with S3-managed keys"),
    ("AccessLogs", "HIPAA.Security-S3BucketReplicationEnabled",
     "access logs of the site bucket and CloudFront, kept for the stage's retention; "
     "losing a region's copy loses no case data"),
    ("AccessLogs", "HIPAA.Security-S3DefaultEncryptionKMS",
     "S3 server access logs can only be delivered to a bucket encrypted with S3-managed "
     "keys (SSE-S3)"),
    (f"{UPLOAD}/ServiceRole", "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:"
     "policy/service-role/AWSLambdaBasicExecutionRole]", UPLOAD_WHY),
    *((f"{UPLOAD}/ServiceRole", f"AwsSolutions-IAM5[{evidence}]", UPLOAD_WHY + "; the CDK "
       "scopes it to the site bucket and its own asset bucket") for evidence in (
        "Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*",
        "Action::s3:DeleteObject*", "Action::s3:Abort*", "Resource::<SiteBucket397A1860.Arn>/*",
        "Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-"
        "<AWS::Region>/*", "Resource::*")),
    (f"{UPLOAD}/ServiceRole", "HIPAA.Security-IAMNoInlinePolicy", UPLOAD_WHY),
    (UPLOAD, "AwsSolutions-L1", UPLOAD_WHY + "; its runtime moves with aws-cdk-lib"),
    (UPLOAD, "HIPAA.Security-LambdaConcurrency", UPLOAD_WHY),
    (UPLOAD, "HIPAA.Security-LambdaDLQ", UPLOAD_WHY + "; a failure fails the deploy"),
    (UPLOAD, "HIPAA.Security-LambdaInsideVPC", UPLOAD_WHY + "; it reaches only S3"),
)

#: Acknowledged only for a stage without its own domain and certificate.
WITHOUT_CERTIFICATE: tuple[tuple[str, str, str], ...] = (
    ("Site", "AwsSolutions-CFR4",
     "with CloudFront's own *.cloudfront.net certificate the minimum TLS version cannot be "
     "set; give the stage a domain and certificate (deploy/stages.yaml) for TLS 1.2 or later"),
)


def _find(stack, path: str):
    target = stack
    for part in filter(None, path.split("/")):
        if part.endswith("*"):
            target = next(child for child in target.node.children
                          if child.node.id.startswith(part[:-1]))
        else:
            target = target.node.find_child(part)
    return target


def suppress(stack) -> None:
    """Acknowledge each finding on its construct (cdk-nag 3: Validations.acknowledge)."""
    import aws_cdk as cdk

    chosen = ACKNOWLEDGED + (() if stack.stage.certificate_arn else WITHOUT_CERTIFICATE)
    for path, rule, reason in chosen:
        rule = rule.replace("<AWS::Region>", stack.stage.region)  # the stack's is concrete
        cdk.Validations.of(_find(stack, path)).acknowledge(
            cdk.Acknowledgment(id=rule, reason=reason))


#: checkov's checks the stack does not meet on purpose: (construct path, check, reason).
#: Written into each resource's Metadata (checkov: skip), where checkov reads them, so the
#: reasons travel with the template.
FUNCTIONS = ("Api/ChaliceApp/APIHandler", "Api/ChaliceApp/DeliverNotifications",
             "Api/ChaliceApp/SweepDeadlines")
CHECKOV_SKIPPED: tuple[tuple[str, str, str], ...] = (
    *((function, "CKV_AWS_117",
       "the functions call only AWS APIs (DynamoDB, SES, SNS, SSM, Secrets Manager) over TLS "
       "with IAM; in a VPC they would need NAT gateways or five interface endpoints (about "
       "$40 a month each AZ) and gain no network boundary the data does not already have")
      for function in FUNCTIONS),
    ("Api/ChaliceApp/APIHandler", "CKV_AWS_116",
     "API Gateway invokes the API function synchronously: a failure is the caller's 5xx "
     "(alarmed), there is no event to dead-letter. The scheduled functions have one"),
    ("Api/ChaliceApp/RestAPI", "CKV_AWS_120",
     "every answer is one signed-in person's view of personal data: a cache could serve it "
     "to someone else, so responses are never cached (CloudFront's /v1/* does not either)"),
    ("AccessLogs/Resource", "CKV_AWS_18",
     "this is the access-log bucket; logging its own access would log forever"),
    ("Site/Resource", "CKV_AWS_68",
     "as cdk-nag AwsSolutions-CFR2: a CloudFront WAF lives in us-east-1 and costs a month's "
     "fee; an area may add one (docs/deploy.md)"),
    (f"{UPLOAD}/ServiceRole/DefaultPolicy/Resource", "CKV_AWS_111", UPLOAD_WHY),
    *((f"{UPLOAD}/Resource", check, UPLOAD_WHY) for check in (
        "CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173")),
)
CHECKOV_WITHOUT_CERTIFICATE: tuple[tuple[str, str, str], ...] = (
    ("Site/Resource", "CKV_AWS_174", WITHOUT_CERTIFICATE[0][2]),
)


def skip_checkov(stack) -> None:
    """Mark each resource with the checkov checks it skips and why."""
    chosen = CHECKOV_SKIPPED + (() if stack.stage.certificate_arn
                                else CHECKOV_WITHOUT_CERTIFICATE)
    by_resource: dict[str, list[dict[str, str]]] = {}
    for path, check, reason in chosen:
        by_resource.setdefault(path, []).append({"id": check, "comment": reason})
    for path, skips in by_resource.items():
        _find(stack, path).add_metadata("checkov", {"skip": skips})
