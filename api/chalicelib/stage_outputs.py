"""What a deployed stage is, read from its CloudFormation stack: the stack of stage S is
`dipforms-S`, in the stage's region, and its outputs name the user pool, the table and the
two URLs. `dipforms users ... --stage S` reads them to reach the stage's pool and table;
`dipforms deploy` prints the URLs from them. Edge module (boto3).

Every failure is a StageProblem whose message says what to fix: no stack (deploy first),
no credentials, a stack still being made or left broken, an output missing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

#: The outputs every stage's stack has (deploy/ writes them).
OUTPUTS = ("UserPoolId", "TableName", "SiteUrl", "ApiUrl")

#: Stack states whose outputs are those of a finished deploy.
READY = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE",
         "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}

#: Error codes that mean the credentials, not the stage, are wrong.
CREDENTIAL_CODES = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                    "UnrecognizedClientException", "SignatureDoesNotMatch",
                    "AccessDenied", "AccessDeniedException"}

NO_CREDENTIALS = ("no AWS credentials were found: sign in to the account first (`aws sso "
                  "login --profile <profile>` and export AWS_PROFILE=<profile>, or `aws "
                  "configure`)")


class StageProblem(Exception):
    """A deployed stage cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class StageOutputs:
    stage: str
    region: str
    stack: str
    user_pool_id: str
    table: str
    site_url: str
    api_url: str

    @property
    def cognito_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def stack_name(stage: str) -> str:
    return f"dipforms-{stage}"


def read_outputs(stage: str, region: str, session: Any = None) -> StageOutputs:
    """The outputs of stage `stage`'s stack, with one DescribeStacks call in `region`.
    `session`: a boto3 Session (a new one if none), whose credentials are used."""
    if session is None:
        import boto3

        session = boto3.session.Session(region_name=region)
    name = stack_name(stage)
    try:
        stacks = session.client("cloudformation", region_name=region).describe_stacks(
            StackName=name)["Stacks"]
    except NoCredentialsError:
        raise StageProblem(NO_CREDENTIALS) from None
    except ClientError as error:
        code = error.response["Error"]["Code"]
        message = error.response["Error"].get("Message", "")
        if code == "ValidationError" and "does not exist" in message:
            raise StageProblem(f"stage {stage} is not deployed: there is no stack {name} in "
                               f"{region}; deploy it first with `dipforms deploy --stage "
                               f"{stage}`") from None
        if code in CREDENTIAL_CODES:
            raise StageProblem(f"AWS refused the credentials ({code}): sign in to the "
                               "account again (`aws sso login`) or check AWS_PROFILE"
                               ) from None
        raise StageProblem(f"the stack {name} could not be read ({code}); try again"
                           ) from None
    except BotoCoreError as error:
        raise StageProblem(f"AWS could not be reached in {region} ({type(error).__name__});"
                           " check the network and try again") from None
    stack = stacks[0]
    status = stack.get("StackStatus", "")
    if status not in READY:
        raise StageProblem(f"the stack {name} is {status}, not deployed: wait for it to "
                           f"finish, or run `dipforms deploy --stage {stage}` again")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    missing = [key for key in OUTPUTS if not outputs.get(key)]
    if missing:
        raise StageProblem(f"the stack {name} has no output {', '.join(missing)}: it was "
                           f"made by an older dipforms; run `dipforms deploy --stage "
                           f"{stage}` again")
    return StageOutputs(stage=stage, region=region, stack=name,
                        user_pool_id=outputs["UserPoolId"], table=outputs["TableName"],
                        site_url=outputs["SiteUrl"], api_url=outputs["ApiUrl"])


def stage_settings(settings: Any, outputs: StageOutputs) -> Any:
    """`settings` (chalicelib.settings.Settings) pointed at the deployed stage: its pool
    for the users, its table for the marks of disabled users, its region."""
    return dataclasses.replace(
        settings, auth="cognito", store="dynamodb", region=outputs.region,
        table=outputs.table, cognito_user_pool_id=outputs.user_pool_id,
        cognito_issuer=outputs.cognito_issuer,
        cognito_jwks_url=outputs.cognito_issuer + "/.well-known/jwks.json")
