"""`dipforms users add|list|disable|enable --stage S` on a deployed stage, on moto: the
stage's region from deploy/stages.yaml, its pool and table from the outputs of its stack
`dipforms-S` (a tiny template whose table is made by CloudFormation), a user made in the
group of their role with their agency and an e-mailed temporary password, after the
protocol's membership check; and every way it stops, saying what to fix."""

from __future__ import annotations

import dataclasses
import json

import pytest

boto3 = pytest.importorskip("boto3")

from chalicelib import manage  # noqa: E402
from chalicelib.catalogue import Catalogue  # noqa: E402
from chalicelib.contract.roles import ROLES  # noqa: E402
from chalicelib.stage_outputs import StageProblem, read_outputs, stage_settings  # noqa: E402
from moto import mock_aws  # noqa: E402

import dipforms_cli  # noqa: E402
from tests.api_harness import ROOT  # noqa: E402
from tests.examples import example_moment  # noqa: E402

REGION = "eu-west-2"
#: the shipped stages (deploy/stages.py reads them as `dipforms deploy` does)
STAGES = (ROOT / "deploy" / "stages.yaml").read_text()


def stack_template(pool_id: str) -> str:
    """The outputs dipforms' stack has, around a table CloudFormation makes."""
    return json.dumps({
        "Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}]}}},
        "Outputs": {"UserPoolId": {"Value": pool_id},
                    "TableName": {"Value": {"Ref": "Table"}},
                    "SiteUrl": {"Value": "https://d111.cloudfront.net"},
                    "ApiUrl": {"Value": "https://d111.cloudfront.net/v1"}}})


@dataclasses.dataclass
class Stage:
    cognito: object
    dynamodb: object
    pool: str
    table: str

    def user(self, username: str) -> dict:
        found = self.cognito.admin_get_user(UserPoolId=self.pool, Username=username)
        return {a["Name"]: a["Value"] for a in found["UserAttributes"]} | {
            "status": found["UserStatus"], "enabled": found["Enabled"]}

    def groups(self, username: str) -> list[str]:
        return [g["GroupName"] for g in self.cognito.admin_list_groups_for_user(
            UserPoolId=self.pool, Username=username)["Groups"]]


@pytest.fixture
def clone(tmp_path, monkeypatch, generated):
    """A clone's top folder with deploy/stages.yaml, the built protocol, and the clock."""
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/stages.yaml").write_text(STAGES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIPFORMS_DATA_DIR", str(tmp_path / ".data"))
    monkeypatch.setenv("DIPFORMS_CLOCK", example_moment().isoformat())
    for name in ("DIPFORMS_AUTH", "DIPFORMS_STORE", "DIPFORMS_TABLE"):
        monkeypatch.delenv(name, raising=False)
    protocol = Catalogue(generated).protocol
    monkeypatch.setattr(manage, "_protocol", lambda: protocol)
    return tmp_path


@pytest.fixture
def prod(clone):
    """Stage prod deployed: a pool with a group per role and custom:agency, a stack."""
    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name=REGION)
        pool = cognito.create_user_pool(PoolName="dipforms-prod", Schema=[
            {"Name": "agency", "AttributeDataType": "String", "Mutable": True}])["UserPool"]
        for role in ROLES:
            cognito.create_group(GroupName=role, UserPoolId=pool["Id"])
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        cloudformation.create_stack(StackName="dipforms-prod",
                                    TemplateBody=stack_template(pool["Id"]))
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        [table] = dynamodb.list_tables()["TableNames"]
        yield Stage(cognito, dynamodb, pool["Id"], table)


@pytest.fixture
def cli(capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = dipforms_cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


ADD = ("users", "add", "--stage", "prod", "--id", "pc.jones", "--role", "police",
       "--agency", "northshire_police", "--email", "pc.jones@police.example")


# --- the outputs of a stack ----------------------------------------------------------------

def test_the_outputs_of_the_stage_s_stack_are_read(prod):
    outputs = read_outputs("prod", REGION)
    assert (outputs.stack, outputs.user_pool_id, outputs.table) == (
        "dipforms-prod", prod.pool, prod.table)
    assert (outputs.site_url, outputs.api_url) == ("https://d111.cloudfront.net",
                                                   "https://d111.cloudfront.net/v1")
    settings = stage_settings(manage.load_settings({}), outputs)
    assert (settings.auth, settings.store, settings.table) == ("cognito", "dynamodb",
                                                               prod.table)
    assert settings.cognito_issuer == f"https://cognito-idp.{REGION}.amazonaws.com/{prod.pool}"


def test_a_stack_without_an_output_or_not_finished_is_refused(clone):
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name=REGION)
        template = json.loads(stack_template("eu-west-2_pool"))
        del template["Outputs"]["UserPoolId"]
        cloudformation.create_stack(StackName="dipforms-dev", TemplateBody=json.dumps(template))
        with pytest.raises(StageProblem) as problem:
            read_outputs("dev", REGION)
        assert "no output UserPoolId" in str(problem.value)
        assert "dipforms deploy --stage dev" in str(problem.value)


# --- users add --stage ---------------------------------------------------------------------

def test_users_add_makes_the_user_in_the_group_of_their_role_with_their_agency(prod, cli):
    code, out, err = cli(*ADD)
    assert code == 0, err
    assert "stage prod: reading the stack dipforms-prod in eu-west-2" in err
    assert out.startswith("added pc.jones (police, northshire_police) to stage prod")
    assert "https://d111.cloudfront.net" in out
    assert "pc.jones@police.example" not in out + err           # nothing personal printed
    user = prod.user("pc.jones")
    assert user["custom:agency"] == "northshire_police"
    assert (user["email"], user["email_verified"]) == ("pc.jones@police.example", "true")
    assert user["status"] == "FORCE_CHANGE_PASSWORD"             # the temporary password
    assert prod.groups("pc.jones") == ["police"]


def test_users_list_disable_and_enable_reach_the_stage_s_pool_and_table(prod, cli, clone):
    assert cli(*ADD)[0] == 0
    code, out, _ = cli("users", "list", "--stage", "prod")
    assert (code, out) == (0, "pc.jones\tpolice\tnorthshire_police\tenabled\n")
    code, out, err = cli("users", "disable", "--stage", "prod", "--id", "pc.jones")
    assert code == 0, err
    assert not prod.user("pc.jones")["enabled"]
    sub = prod.user("pc.jones")["sub"]
    mark = prod.dynamodb.get_item(TableName=prod.table, Key={
        "pk": {"S": f"USER#{sub}"}, "sk": {"S": "ACCESS"}})["Item"]
    assert mark["disabled"] == {"BOOL": True}                    # in the stack's table
    assert cli("users", "list", "--stage", "prod")[1].endswith("\tdisabled\n")
    assert cli("users", "enable", "--stage", "prod", "--id", "pc.jones")[0] == 0
    assert prod.user("pc.jones")["enabled"]
    assert not (clone / ".data/users.sqlite").exists()          # no local users file used


def test_a_user_that_exists_is_refused_and_left_as_it_was(prod, cli):
    assert cli(*ADD)[0] == 0
    again = [*ADD[:-1], "other@police.example"]
    code, out, err = cli(*again)
    assert (code, out) == (1, "")
    assert "a user 'pc.jones' exists already in the pool of stage prod" in err
    assert prod.user("pc.jones")["email"] == "pc.jones@police.example"


@pytest.mark.parametrize(("agency", "role", "said"), [
    ("northshire_polise", "police", "did you mean 'northshire_police'?"),
    ("northshire_police", "cjit", "gives it only police"),
])
def test_the_protocol_s_membership_check_comes_first(prod, cli, agency, role, said):
    code, _, err = cli("users", "add", "--stage", "prod", "--id", "someone", "--role", role,
                       "--agency", agency, "--email", "someone@example.org")
    assert code == 1 and said in err and "nothing was created" in err
    assert "reading the stack" not in err                        # AWS was not asked
    assert prod.cognito.list_users(UserPoolId=prod.pool)["Users"] == []


def test_a_pool_without_the_role_s_group_is_refused_with_nothing_made(prod, cli):
    prod.cognito.delete_group(GroupName="police", UserPoolId=prod.pool)
    code, _, err = cli(*ADD)
    assert code == 1
    assert "no group 'police'" in err and "dipforms deploy --stage prod" in err
    assert prod.cognito.list_users(UserPoolId=prod.pool)["Users"] == []


@pytest.mark.parametrize("removable", [True, False])
def test_a_user_left_out_of_their_group_is_removed_again(prod, cli, monkeypatch, removable):
    """Should adding to the group fail after the user was made, the user is not left in
    the pool without a role: the command can be run again as it was. Should removing
    them fail too, the message says so and what to do."""
    from botocore.exceptions import ClientError
    from chalicelib.cognito_directory import CognitoDirectory

    real = CognitoDirectory.cognito

    class Throttled:
        """The pool's client, throttled on the one call under test."""

        def __init__(self, client) -> None:
            self.client = client

        def __getattr__(self, name):
            return getattr(self.client, name)

        def admin_add_user_to_group(self, **_):
            raise ClientError({"Error": {"Code": "TooManyRequestsException"}},
                              "AdminAddUserToGroup")

        def admin_delete_user(self, **arguments):
            if removable:
                return self.client.admin_delete_user(**arguments)
            raise ClientError({"Error": {"Code": "TooManyRequestsException"}},
                              "AdminDeleteUser")

    monkeypatch.setattr(CognitoDirectory, "cognito",
                        property(lambda self: Throttled(real.fget(self))))
    code, _, err = cli(*ADD)
    assert code == 1 and "TooManyRequestsException" in err
    left = [u["Username"] for u in prod.cognito.list_users(UserPoolId=prod.pool)["Users"]]
    if removable:
        assert left == [] and "nothing was created, try again" in err
    else:
        assert left == ["pc.jones"] and prod.groups("pc.jones") == []
        assert "could not be removed again: delete 'pc.jones'" in err
        assert "nothing was created" not in err


@pytest.mark.parametrize(("args", "said"), [
    (("users", "add", "--stage", "prod", "--id", "pc.jones", "--role", "police",
      "--agency", "northshire_police"), "--email is needed with --stage"),
    ((*ADD, "--password"), "leave out --password"),
    (("users", "add", "--id", "pc.jones", "--role", "police", "--agency",
      "northshire_police", "--email", "pc@police.example"), "--email is for a deployed"),
])
def test_wrong_options_are_refused_before_aws_is_asked(prod, cli, args, said):
    code, _, err = cli(*args)
    assert code == 2 and said in err
    assert prod.cognito.list_users(UserPoolId=prod.pool)["Users"] == []


def test_a_bad_email_is_refused_with_nothing_made(prod, cli):
    code, _, err = cli(*ADD[:-1], "pc.jones-at-police")
    assert code == 1 and "e-mail address" in err
    assert prod.cognito.list_users(UserPoolId=prod.pool)["Users"] == []


# --- what stops it, saying what to fix -------------------------------------------------------

def test_an_unknown_stage_names_the_stages_there_are(prod, cli):
    code, out, err = cli("users", "list", "--stage", "staging")
    assert (code, out) == (1, "")
    assert "no stage 'staging'" in err and "the stages are dev, prod" in err


def test_a_stage_without_a_region_is_refused(prod, cli, clone):
    (clone / "deploy/stages.yaml").write_text(STAGES.replace("    region: eu-west-2\n", "", 1))
    code, _, err = cli("users", "list", "--stage", "dev")
    assert code == 1 and "`region` is missing" in err


def test_a_stage_not_deployed_says_to_deploy_it(prod, cli):
    code, out, err = cli(*ADD[:3], "dev", *ADD[4:])
    assert (code, out) == (1, "")
    assert "stage dev is not deployed: there is no stack dipforms-dev in eu-west-2" in err
    assert "dipforms deploy --stage dev" in err


def test_no_stages_file_says_where_to_run_from(prod, cli, clone):
    (clone / "deploy/stages.yaml").unlink()
    code, _, err = cli("users", "list", "--stage", "prod")
    assert code == 1 and "run dipforms from the top folder of the clone" in err


def test_absent_credentials_say_how_to_sign_in(clone, cli, monkeypatch, tmp_path):
    """Outside moto, with no credentials anywhere: botocore's NoCredentialsError, named."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, out, err = cli(*ADD)
    assert (code, out) == (1, "")
    assert "no AWS credentials were found" in err and "aws sso login" in err


def test_the_region_comes_from_the_stages_file(clone):
    assert dipforms_cli.stage_region("prod", clone) == "eu-west-2"
    with pytest.raises(StageProblem):
        dipforms_cli.stage_region("test", clone)


def test_the_user_commands_in_docs_deploy_md_parse():
    """docs/deploy.md's `dipforms users ... --stage` lines are commands this CLI takes."""
    import re
    import shlex
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs/deploy.md").read_text()
    lines = re.findall(r"dipforms (users (?:[^\n\\]|\\\n)*)", doc.replace("`", "\n"))
    commands = [shlex.split(line.replace("\\\n", " "), comments=True) for line in lines]
    staged = [c for c in commands if "--stage" in c and "..." not in c]
    assert len(staged) >= 4
    for command in staged:
        args = manage._parser().parse_args(command)
        assert args.stage == "prod", command
        assert args.action != "add" or args.email, command
