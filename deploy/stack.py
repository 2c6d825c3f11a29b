"""One stage of dipforms in AWS, as a CDK stack: data, sign-in, site, API, mail, alarms.

The API stays the Chalice app of api/ (packaged by Chalice's own CDK construct); around it
the stack makes what the app needs and nothing by hand: the table under a rotating
customer-managed key, the user pool with the protocol's roles as groups, the private site
bucket behind CloudFront (with web/headers.py's headers), the SES identity and SNS topics,
the stage's secret and settings parameter, one least-privilege role per function, log
retention, throttling and alarms. docs/deploy.md explains it for an admin.
"""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import jsii
from aws_cdk import (
    aws_certificatemanager as acm,
)
from aws_cdk import (
    aws_cloudfront as cloudfront,
)
from aws_cdk import (
    aws_cloudfront_origins as origins,
)
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
)
from aws_cdk import (
    aws_cloudwatch_actions as cloudwatch_actions,
)
from aws_cdk import (
    aws_cognito as cognito,
)
from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_kms as kms,
)
from aws_cdk import (
    aws_logs as logs,
)
from aws_cdk import (
    aws_s3 as s3,
)
from aws_cdk import (
    aws_s3_deployment as s3deploy,
)
from aws_cdk import (
    aws_secretsmanager as secretsmanager,
)
from aws_cdk import (
    aws_ses as ses,
)
from aws_cdk import (
    aws_sns as sns,
)
from aws_cdk import (
    aws_sns_subscriptions as subscriptions,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from aws_cdk import (
    aws_ssm as ssm,
)
from chalice.cdk import Chalice
from constructs import Construct

from web import headers

from . import policies
from .package import add_bytecode
from .stages import StageSettings

#: The site is built with this in place of the app client's id, which Cognito makes at
#: deploy time; the site's upload puts the real id in (a CDK deployment-time marker).
CLIENT_ID_MARKER = "dipformsdeploytimeclientid"
TABLE_INDEXES = (("listing", "listing_pk", "listing_sk"), ("due", "due_pk", "due_sk"),
                 ("audit_actor", "audit_actor", "sk"))


class CompiledChalice(Chalice):
    """Chalice's construct, packaging the app with its bytecode compiled in (package.py)."""

    def _package_app(self) -> None:
        super()._package_app()
        add_bytecode(Path(self._sam_package_dir) / "deployment.zip")


@jsii.implements(s3deploy.ISource)
class SiteFiles:
    """The built site/ folder as a BucketDeployment source whose files get the app client's
    id put in at deploy time (Source.asset alone cannot carry deploy-time values)."""

    def __init__(self, path: Path, markers: dict[str, str]) -> None:
        self.path, self.markers = str(path), markers

    def bind(self, scope: Construct, *, handler_role: iam.IRole | None = None
             ) -> s3deploy.SourceConfig:
        bound = s3deploy.Source.asset(self.path).bind(scope, handler_role=handler_role)
        return s3deploy.SourceConfig(bucket=bound.bucket, zip_object_key=bound.zip_object_key,
                                     markers=self.markers)


class DipformsStack(cdk.Stack):
    def __init__(self, scope: Construct, stage: StageSettings, *, api_dir: Path,
                 site_dir: Path, protocol: dict, roles: tuple[str, ...], **kwargs) -> None:
        super().__init__(scope, stage.stack_name, env=cdk.Environment(region=stage.region),
                         description=f"dipforms, stage {stage.name}", **kwargs)
        self.stage = stage
        removal = cdk.RemovalPolicy.RETAIN if stage.keep_data else cdk.RemovalPolicy.DESTROY
        self.key = kms.Key(self, "DataKey", enable_key_rotation=True, removal_policy=removal,
                           description=f"dipforms {stage.name}: table, secret, topics, logs")
        self.key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{stage.region}.amazonaws.com"))
        self.table = self._table(removal)
        self.secret = secretsmanager.Secret(
            self, "StageSecret", encryption_key=self.key, removal_policy=removal,
            description="draft and search secrets are derived from this (docs/deploy.md)",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True))
        self.pool, self.groups = self._user_pool(removal, roles)
        self.topics = self._topics(protocol)
        self.alarm_topic = sns.Topic(self, "AlarmTopic", master_key=self.key, enforce_ssl=True,
                                     display_name=f"dipforms {stage.name} alarms")
        self.alarm_topic.add_subscription(subscriptions.EmailSubscription(stage.alarm_email))
        self.identity = ses.EmailIdentity(self, "Sender",
                                          identity=ses.Identity.email(stage.sender))
        self.site_parameter_name = f"/dipforms/{stage.name}/site"
        self.dead_letters = sqs.Queue(
            self, "ScheduleDeadLetters", encryption_master_key=self.key, enforce_ssl=True,
            retention_period=cdk.Duration.days(14))
        self.roles = {name: self._role(name) for name in policies.FUNCTIONS}
        self.api = self._chalice(api_dir)
        self.log_bucket = self._log_bucket(removal)
        self.site_bucket = s3.Bucket(
            self, "SiteBucket", block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.log_bucket, server_access_logs_prefix="site/",
            removal_policy=removal, auto_delete_objects=False)
        self.distribution = self._distribution()
        self.site_url = (f"https://{stage.domain}" if stage.domain
                         else f"https://{self.distribution.distribution_domain_name}")
        self.client = self._client()
        ssm.StringParameter(
            self, "SiteParameter", parameter_name=self.site_parameter_name,
            description="the site's address and app client id, read by the functions",
            string_value=cdk.Fn.to_json_string({
                "base_url": self.site_url,
                "cognito_client_id": self.client.user_pool_client_id}))
        s3deploy.BucketDeployment(
            self, "SiteUpload", destination_bucket=self.site_bucket,
            sources=[SiteFiles(site_dir, {CLIENT_ID_MARKER: self.client.user_pool_client_id})],
            distribution=self.distribution, distribution_paths=["/*"],
            memory_limit=512, log_group=self._log_group("SiteUploadLog"))
        self._alarms()
        for name, value in (("SiteUrl", self.site_url),
                            ("ApiUrl", f"{self.site_url}/v1/"),
                            ("UserPoolId", self.pool.user_pool_id),
                            ("UserPoolClientId", self.client.user_pool_client_id),
                            ("CognitoDomain", stage.cognito_domain),
                            ("TableName", self.table.table_name),
                            ("Region", stage.region)):
            cdk.CfnOutput(self, name, value=value)

    # --- data ---------------------------------------------------------------------------

    def _table(self, removal: cdk.RemovalPolicy) -> dynamodb.Table:
        """The one table of api/chalicelib/store/dynamodb (keys and indexes as in
        table.table_definition, which tests/deploy compares with this)."""
        string = dynamodb.AttributeType.STRING
        table = dynamodb.Table(
            self, "Table", partition_key=dynamodb.Attribute(name="pk", type=string),
            sort_key=dynamodb.Attribute(name="sk", type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED, encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True),
            deletion_protection=True, time_to_live_attribute="expires",
            removal_policy=removal)
        for index, hash_key, range_key in TABLE_INDEXES:
            table.add_global_secondary_index(
                index_name=index, partition_key=dynamodb.Attribute(name=hash_key, type=string),
                sort_key=dynamodb.Attribute(name=range_key, type=string))
        return table

    # --- sign-in ------------------------------------------------------------------------

    def _user_pool(self, removal: cdk.RemovalPolicy, roles: tuple[str, ...]):
        pool = cognito.UserPool(
            self, "UserPool", self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)),
            custom_attributes={"agency": cognito.StringAttribute(min_len=1, max_len=64,
                                                                 mutable=True)},
            password_policy=cognito.PasswordPolicy(
                min_length=14, require_lowercase=True, require_uppercase=True,
                require_digits=True, require_symbols=True,
                temp_password_validity=cdk.Duration.days(3)),
            mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=cognito.MfaSecondFactor(
                otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=self.stage.keep_data, removal_policy=removal)
        pool.add_domain("HostedUi", cognito_domain=cognito.CognitoDomainOptions(
            domain_prefix=self.stage.cognito_domain_prefix))
        groups = {role: cognito.CfnUserPoolGroup(
            self, f"Group{role.title().replace('_', '')}", user_pool_id=pool.user_pool_id,
            group_name=role, description=f"dipforms role {role}") for role in roles}
        return pool, groups

    def _client(self) -> cognito.UserPoolClient:
        """The hosted UI's public client: code grant with PKCE (the pages make the
        challenge), openid only, callbacks on this site alone (docs/auth.md)."""
        site = self.site_url
        return self.pool.add_client(
            "SiteClient", generate_secret=False, prevent_user_existence_errors=True,
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID],
                callback_urls=[f"{site}/signed-in.html", f"{site}/cy/signed-in.html"],
                logout_urls=[f"{site}/index.html", f"{site}/cy/index.html"]),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            read_attributes=cognito.ClientAttributes().with_standard_attributes(
                email=True, email_verified=True).with_custom_attributes("agency"),
            write_attributes=cognito.ClientAttributes(),   # no one edits their own agency
            id_token_validity=cdk.Duration.hours(1), access_token_validity=cdk.Duration.hours(1),
            refresh_token_validity=cdk.Duration.hours(8), enable_token_revocation=True)

    # --- notifications ------------------------------------------------------------------

    def _topics(self, protocol: dict) -> dict[str, sns.Topic]:
        """An encrypted topic for each agency a route of protocol.yaml sends to by sns."""
        agencies = sorted({route["to"] for route in protocol.get("routes", ())
                           if route.get("channel") == "sns"})
        return {agency: sns.Topic(self, f"Topic{''.join(p.title() for p in agency.split('_'))}",
                                  master_key=self.key, enforce_ssl=True,
                                  display_name=f"dipforms {agency}") for agency in agencies}

    # --- functions ----------------------------------------------------------------------

    def _role(self, function: str) -> iam.Role:
        """The function's own role: its policy allows only what policies.py lists for it,
        on this stage's resources (its log group is written by name, made by Chalice)."""
        logical = policies.FUNCTIONS[function]
        # made here, not by Chalice's log_retention_in_days, whose api_handler group names a
        # function that is not in its template (Chalice 1.34); the name is fixed in _chalice
        log_group = self._log_group(f"{logical}Log", f"/aws/lambda/{self.function_name(logical)}")
        role = iam.Role(self, f"{logical}Role",
                        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"dipforms {self.stage.name} {function}")
        table_arns = [self.table.table_arn, f"{self.table.table_arn}/index/*"]
        statements = [
            iam.PolicyStatement(sid="Table", actions=list(policies.TABLE_ACTIONS[function]),
                                resources=table_arns),
            iam.PolicyStatement(sid="HistoryNeverDeleted", effect=iam.Effect.DENY,
                                actions=["dynamodb:DeleteItem"], resources=table_arns,
                                conditions={"ForAnyValue:StringLike": {
                                    "dynamodb:LeadingKeys": list(policies.NEVER_DELETED)}}),
            iam.PolicyStatement(sid="AuditNeverUpdated", effect=iam.Effect.DENY,
                                actions=["dynamodb:UpdateItem"], resources=table_arns,
                                conditions={"ForAnyValue:StringLike": {
                                    "dynamodb:LeadingKeys": list(policies.NEVER_UPDATED)}}),
            iam.PolicyStatement(sid="StageKey", actions=[
                "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                resources=[self.key.key_arn]),
            iam.PolicyStatement(sid="Logs", actions=["logs:CreateLogStream",
                                                     "logs:PutLogEvents"],
                                resources=[log_group.log_group_arn]),
            iam.PolicyStatement(sid="Tracing", actions=["xray:PutTraceSegments",
                                                        "xray:PutTelemetryRecords"],
                                resources=["*"]),   # X-Ray has no resource-level permissions
        ]
        if function in policies.READS_STAGE:
            statements += [
                iam.PolicyStatement(sid="StageSettings", actions=["ssm:GetParameter"],
                                    resources=[self.format_arn(
                                        service="ssm", resource="parameter",
                                        resource_name=self.site_parameter_name.lstrip("/"))]),
                iam.PolicyStatement(sid="StageSecret", actions=["secretsmanager:GetSecretValue"],
                                    resources=[self.secret.secret_arn])]
        if function in policies.SENDS_EMAIL:
            statements.append(iam.PolicyStatement(
                # ses.py sends with SES v2's SendEmail (raw content), which IAM checks as
                # ses:SendEmail; SendRawEmail is SES v1's, which the functions never use
                sid="Mail", actions=["ses:SendEmail"],
                resources=[self.format_arn(service="ses", resource="identity",
                                           resource_name=self.stage.sender)]))
        if function in policies.PUBLISHES_SNS and self.topics:
            statements.append(iam.PolicyStatement(
                sid="Topics", actions=["sns:Publish"],
                resources=[topic.topic_arn for topic in self.topics.values()]))
        if function != "api_handler":
            statements.append(iam.PolicyStatement(
                sid="DeadLetters", actions=["sqs:SendMessage"],
                resources=[self.dead_letters.queue_arn]))
        iam.ManagedPolicy(self, f"{logical}Policy", roles=[role],
                          document=iam.PolicyDocument(statements=statements))
        return role

    def function_name(self, logical: str) -> str:
        return f"{self.stack_name}-{logical}"

    def _environment(self) -> dict[str, str]:
        """Every setting the functions read (api/chalicelib/settings.py), from this stack."""
        issuer = f"https://cognito-idp.{self.stage.region}.amazonaws.com/{self.pool.user_pool_id}"
        return {
            "DIPFORMS_STORE": "dynamodb", "DIPFORMS_TABLE": self.table.table_name,
            "DIPFORMS_CHANNELS": "email=ses,sns=sns", "DIPFORMS_AUTH": "cognito",
            "DIPFORMS_SENDER": self.stage.sender, "DIPFORMS_STAGE": self.stage.name,
            "DIPFORMS_COGNITO_ISSUER": issuer,
            "DIPFORMS_COGNITO_JWKS_URL": f"{issuer}/.well-known/jwks.json",
            "DIPFORMS_COGNITO_USER_POOL_ID": self.pool.user_pool_id,
            "DIPFORMS_TOPIC_ARNS": ",".join(f"{agency}={topic.topic_arn}"
                                            for agency, topic in self.topics.items()),
            "DIPFORMS_SITE_PARAMETER": self.site_parameter_name,
            "DIPFORMS_SECRET_ARN": self.secret.secret_arn,
        }

    def _chalice(self, api_dir: Path) -> Chalice:
        """The Chalice app, packaged by Chalice into the stack, with our roles, settings,
        tracing, concurrency, and API Gateway's throttling and access logs."""
        api = CompiledChalice(self, "Api", source_dir=str(api_dir), stage_config={
            "api_gateway_stage": self.stage.name, "api_gateway_endpoint_type": "REGIONAL",
            "manage_iam_role": False, "autogen_policy": False,
            "iam_role_arn": self.roles["api_handler"].role_arn,
            "environment_variables": self._environment(), "xray": True})
        # Chalice reads per-function settings (lambda_functions) only from config.json, not
        # from the construct's stage_config: set each function's own on its SAM resource
        concurrency = {"api_handler": self.stage.api_concurrency}
        for name, logical in policies.FUNCTIONS.items():
            function = api.get_resource(logical)
            function.add_property_override("Role", self.roles[name].role_arn)
            function.add_property_override("ReservedConcurrentExecutions",
                                           concurrency.get(name, 1))
            function.add_property_override("KmsKeyArn", self.key.key_arn)
            function.add_property_override("FunctionName", self.function_name(logical))
            if name != "api_handler":     # invoked by the schedules, asynchronously
                function.add_property_override("Timeout", 120)
                function.add_property_override("DeadLetterQueue", {
                    "Type": "SQS", "TargetArn": self.dead_letters.queue_arn})
        self.api_log_group = self._log_group("ApiAccessLog")
        rest = api.get_resource("RestAPI")
        rest.add_property_override("Name", self.stack_name)
        rest.add_property_override("TracingEnabled", True)
        rest.add_property_override("MethodSettings", [{
            "ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True,
            "LoggingLevel": "ERROR", "DataTraceEnabled": False,
            "ThrottlingRateLimit": self.stage.api_rate_limit,
            "ThrottlingBurstLimit": self.stage.api_burst_limit}])
        rest.add_property_override("AccessLogSetting", {
            "DestinationArn": self.api_log_group.log_group_arn,
            "Format": json.dumps({   # ids, times and outcomes only: nothing personal
                "requestId": "$context.requestId", "time": "$context.requestTime",
                "method": "$context.httpMethod", "resource": "$context.resourcePath",
                "status": "$context.status", "latency": "$context.responseLatency",
                "error": "$context.error.messageString"})})
        rest.add_resource_dependency(self._gateway_logging_account())
        return api

    def _gateway_logging_account(self) -> cdk.CfnResource:
        """API Gateway writes its logs through one role per account and region."""
        role = iam.Role(self, "ApiGatewayLogsRole",
                        assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"))
        iam.ManagedPolicy(self, "ApiGatewayLogsPolicy", roles=[role], statements=[
            iam.PolicyStatement(actions=["logs:CreateLogGroup", "logs:CreateLogStream",
                                         "logs:DescribeLogGroups", "logs:DescribeLogStreams",
                                         "logs:PutLogEvents", "logs:GetLogEvents",
                                         "logs:FilterLogEvents"],
                                resources=[self.format_arn(
                                    service="logs", resource="log-group", resource_name="*",
                                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)])])
        return cdk.aws_apigateway.CfnAccount(self, "ApiGatewayAccount",
                                             cloud_watch_role_arn=role.role_arn)

    # --- site ---------------------------------------------------------------------------

    def _log_bucket(self, removal: cdk.RemovalPolicy) -> s3.Bucket:
        """Access logs of the site bucket and of CloudFront (which needs ACLs to write)."""
        return s3.Bucket(
            self, "AccessLogs", block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(
                max(self.stage.log_retention_days, 30)))],
            removal_policy=removal)

    def _headers(self) -> cloudfront.ResponseHeadersPolicy:
        """web/headers.py's policy, the same the page server sends on one machine."""
        return cloudfront.ResponseHeadersPolicy(
            self, "Headers", response_headers_policy_name=f"{self.stack_name}-headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=headers.content_security_policy(
                        [self.stage.cognito_domain]), override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(730), include_subdomains=True,
                    preload=True, override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(
                    override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN,
                    override=True)),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(custom_headers=[
                cloudfront.ResponseCustomHeader(header="Permissions-Policy",
                                                value=headers.PERMISSIONS_POLICY,
                                                override=True)]))

    def _distribution(self) -> cloudfront.Distribution:
        """The site from the bucket (origin access control) and the API under /v1/, on one
        origin so the pages call the API without CORS; HTTPS only, TLS 1.2 or later."""
        policy = self._headers()
        api_origin = origins.HttpOrigin(
            cdk.Fn.join("", [self.api.get_resource("RestAPI").ref,
                             f".execute-api.{self.stage.region}.amazonaws.com"]),
            origin_path=f"/{self.stage.name}",
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2])
        certificate = (acm.Certificate.from_certificate_arn(self, "Certificate",
                                                            self.stage.certificate_arn)
                       if self.stage.certificate_arn else None)
        return cloudfront.Distribution(
            self, "Site", comment=f"dipforms {self.stage.name}",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.site_bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=policy),
            additional_behaviors={"/v1/*": cloudfront.BehaviorOptions(
                origin=api_origin, allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=(
                    cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER),
                response_headers_policy=policy)},
            domain_names=[self.stage.domain] if self.stage.domain else None,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            geo_restriction=(cloudfront.GeoRestriction.allowlist(
                *self.stage.allowed_countries) if self.stage.allowed_countries else None),
            enable_logging=True, log_bucket=self.log_bucket, log_file_prefix="cloudfront/",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3)

    # --- alarms -------------------------------------------------------------------------

    def _alarms(self) -> None:
        """Each alarm tells the alarm topic, once when it fires and once when it clears."""
        action = cloudwatch_actions.SnsAction(self.alarm_topic)
        five_minutes = cdk.Duration.minutes(5)

        def alarm(name: str, metric: cloudwatch.Metric, what: str) -> None:
            made = cloudwatch.Alarm(
                self, name, metric=metric, threshold=1, evaluation_periods=1,
                comparison_operator=(
                    cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD),
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"dipforms {self.stage.name}: {what}")
            made.add_alarm_action(action)
            made.add_ok_action(action)

        alarm("DeadLettersAlarm", cloudwatch.Metric(
            namespace="dipforms", metric_name="DeadLettered",
            dimensions_map={"Stage": self.stage.name}, statistic="Sum", period=five_minutes),
            "a notification was dead-lettered: see `dipforms outbox list` (docs/deploy.md)")
        alarm("Api5xxAlarm", cloudwatch.Metric(
            namespace="AWS/ApiGateway", metric_name="5XXError",
            dimensions_map={"ApiName": self.stack_name, "Stage": self.stage.name},
            statistic="Sum", period=five_minutes), "the API answered 5xx")
        alarm("ScheduleDeadLettersAlarm", self.dead_letters.metric(
            "ApproximateNumberOfMessagesVisible", statistic="Maximum", period=five_minutes),
            "a scheduled run failed every retry")
        for logical in policies.FUNCTIONS.values():
            name = self.api.get_resource(logical).ref
            for metric, what in (("Errors", "failed"), ("Throttles", "was throttled")):
                alarm(f"{logical}{metric}Alarm", cloudwatch.Metric(
                    namespace="AWS/Lambda", metric_name=metric,
                    dimensions_map={"FunctionName": name}, statistic="Sum",
                    period=five_minutes), f"function {logical} {what}")

    def _log_group(self, name: str, group_name: str | None = None) -> logs.LogGroup:
        """A log group under the stage's key, kept for the stage's days (set on the
        resource itself: jsii's RetentionDays enum is by name, the setting is a number)."""
        group = logs.LogGroup(self, name, encryption_key=self.key, log_group_name=group_name,
                              removal_policy=cdk.RemovalPolicy.DESTROY)
        group.node.default_child.retention_in_days = self.stage.log_retention_days
        return group
