"""Revocation (issue 15, finding 3): every request asks the user directory whether its
user exists and is enabled; `dipforms users disable|enable|list`; CLI tokens held to the
sign-in's lifetime. On one machine the users file; in AWS Cognito and the table, on moto."""

from __future__ import annotations

import dataclasses
import json

import jwt
import pytest
from chalicelib import manage
from chalicelib.clock import epoch_seconds
from chalicelib.directory import Account, LocalDirectory, make_directory
from chalicelib.settings import SESSION_SECONDS, Settings, load_settings
from chalicelib.tokens import LocalVerifier, TokenError, ensure_local_secret, mint_local_token
from chalicelib.users import UnknownUser, UserDirectory

from tests.examples import example_moment

PASSWORD = "correct horse battery staple"


def forms(api, token: str):
    return api.client.http.get("/v1/forms", headers={"Authorization": f"Bearer {token}"})


# --- every request ---------------------------------------------------------------------

def test_a_disabled_users_next_request_is_refused_and_enabling_lets_them_in(api):
    token = api.token("police")
    assert forms(api, token).status_code == 200
    users = UserDirectory.in_data_dir(api.runtime.settings.data_dir)   # as the CLI does
    users.disable("pc_jones")
    refused = forms(api, token)
    assert refused.status_code == 401, refused.body
    assert json.loads(refused.body)["error"] == "unauthenticated"
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="dipforms"'
    submitted = api.submit("mg14", {"surname": "Example"})
    assert submitted.status_code == 401
    users.enable("pc_jones")
    assert forms(api, token).status_code == 200
    assert forms(api, api.token("cjit")).status_code == 200      # others were never refused


def test_a_token_for_a_user_that_never_existed_is_refused(api):
    token = mint_local_token(api.secret, subject="never.added", role="dat_admin",
                             agency="northshire_dat", now=epoch_seconds(api.runtime.clock))
    assert api.runtime.verifier.verify(token, epoch_seconds(api.runtime.clock))  # well signed
    for path in ("/v1/forms", "/v1/dashboard", "/v1/outbox/dead"):
        response = api.client.http.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, path
        assert "never.added" not in response.body.decode()


def test_the_check_reads_what_another_process_wrote_on_the_same_thread(tmp_path):
    """The connection is kept per thread: a later disable must still be seen."""
    users = UserDirectory.in_data_dir(tmp_path)
    users.add("pc_jones", "police", "northshire_police")
    directory = LocalDirectory(users.path)
    assert directory.is_active("pc_jones") and not directory.is_active("nobody")
    for _ in range(3):
        users.disable("pc_jones")
        assert not directory.is_active("pc_jones")
        users.enable("pc_jones")
        assert directory.is_active("pc_jones")


def test_the_directory_follows_the_auth_setting(tmp_path):
    assert isinstance(make_directory(Settings(data_dir=tmp_path)), LocalDirectory)
    with pytest.raises(ValueError):
        make_directory(Settings(data_dir=tmp_path, auth="ldap"))


# --- dipforms users, token ---------------------------------------------------------------

@pytest.fixture
def cli(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DIPFORMS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DIPFORMS_CLOCK", example_moment().isoformat())
    for name in ("DIPFORMS_AUTH", "DIPFORMS_SESSION_SECONDS"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = manage.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def test_users_disable_enable_and_list(cli, tmp_path):
    users = UserDirectory.in_data_dir(tmp_path)
    users.add("pc_jones", "police", "northshire_police", PASSWORD)
    users.add("cjit_worker", "cjit", "northshire_cjit")
    assert cli("users", "disable", "--id", "pc_jones")[0] == 0
    code, out, _ = cli("users", "list")
    assert code == 0
    assert out.splitlines() == ["cjit_worker\tcjit\tnorthshire_cjit\tenabled",
                                "pc_jones\tpolice\tnorthshire_police\tdisabled"]
    assert "argon2" not in out and "$" not in out
    assert not LocalDirectory(users.path).is_active("pc_jones")
    assert not users.check_password("pc_jones", PASSWORD)
    assert cli("token", "--user", "pc_jones")[0] == 1          # no token for a disabled user
    assert cli("users", "enable", "--id", "pc_jones")[0] == 0
    assert LocalDirectory(users.path).is_active("pc_jones")
    code, _, err = cli("users", "disable", "--id", "nobody")
    assert code == 1 and err.startswith("refused:")


def test_cli_tokens_last_no_longer_than_a_sign_in(cli, tmp_path):
    UserDirectory.in_data_dir(tmp_path).add("pc_jones", "police", "northshire_police")
    now = int(example_moment().timestamp())
    verifier = LocalVerifier(ensure_local_secret(tmp_path))
    code, out, _ = cli("token", "--user", "pc_jones", "--ttl", str(8 * 3600))
    claims = verifier.verify(out.strip(), now)
    assert code == 0 and claims.expires_at - claims.issued_at == 8 * 3600
    code, out, err = cli("token", "--user", "pc_jones", "--ttl", str(24 * 3600))
    assert (code, out) == (2, "") and "28800" in err


def test_the_verifier_refuses_a_local_token_outliving_a_sign_in():
    secret = bytes(range(64))
    day = mint_local_token(secret, subject="pc_jones", role="police",
                           agency="northshire_police", now=1_800_000_000, ttl_seconds=86_400)
    with pytest.raises(TokenError) as error:
        LocalVerifier(secret).verify(day, 1_800_000_010)
    assert error.value.code == "bad_claims"
    assert LocalVerifier(secret, max_lifetime_seconds=86_400).verify(day, 1_800_000_010)


def test_one_setting_gives_the_lifetime_of_sign_in_and_cli_tokens(api):
    from chalicelib import session

    assert load_settings({}).session_seconds == SESSION_SECONDS == 8 * 3600
    assert load_settings({"DIPFORMS_SESSION_SECONDS": "3600"}).session_seconds == 3600
    UserDirectory.in_data_dir(api.runtime.settings.data_dir).add(
        "jo.worker", "cjit", "northshire_cjit", PASSWORD)
    hour = dataclasses.replace(api.runtime.settings, session_seconds=3600)
    now = epoch_seconds(api.runtime.clock)
    result = session.sign_in(hour, {"user": "jo.worker", "password": PASSWORD}, "10.0.0.9", now)
    payload = jwt.decode(result.value["token"], options={"verify_signature": False})
    assert payload["exp"] - payload["iat"] == 3600


# --- in AWS: Cognito and the table, on moto -----------------------------------------------

@pytest.fixture
def aws():
    boto3 = pytest.importorskip("boto3")
    from chalicelib.store.dynamodb import create_table
    from moto import mock_aws

    with mock_aws():
        cognito = boto3.client("cognito-idp", region_name="eu-west-2")
        dynamodb = boto3.client("dynamodb", region_name="eu-west-2")
        create_table(dynamodb, "dipforms-test")
        pool = cognito.create_user_pool(PoolName="dipforms", Schema=[
            {"Name": "agency", "AttributeDataType": "String", "Mutable": True}])["UserPool"]
        client = cognito.create_user_pool_client(
            UserPoolId=pool["Id"], ClientName="api",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH",
                               "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
        for role in ("police", "cjit"):
            cognito.create_group(GroupName=role, UserPoolId=pool["Id"])
        subs = {}
        for username, role, agency in (("jo.worker", "cjit", "northshire_cjit"),
                                       ("pc.jones", "police", "northshire_police")):
            created = cognito.admin_create_user(
                UserPoolId=pool["Id"], Username=username,
                UserAttributes=[{"Name": "custom:agency", "Value": agency}])["User"]
            subs[username] = next(a["Value"] for a in created["Attributes"]
                                  if a["Name"] == "sub")
            cognito.admin_add_user_to_group(UserPoolId=pool["Id"], Username=username,
                                            GroupName=role)
            cognito.admin_set_user_password(UserPoolId=pool["Id"], Username=username,
                                            Password="Long-enough-1-password", Permanent=True)
        settings = Settings(auth="cognito", table="dipforms-test",
                            cognito_issuer="https://cognito-idp.eu-west-2.amazonaws.com/"
                                           + pool["Id"])
        directory = make_directory(settings, cognito=cognito, dynamodb=dynamodb)
        yield dataclasses.make_dataclass("Aws", ["cognito", "dynamodb", "pool", "client",
                                                 "subs", "directory", "settings"])(
            cognito, dynamodb, pool["Id"], client, subs, directory, settings)


def refresh_token(aws, username: str) -> str:
    answer = aws.cognito.admin_initiate_auth(
        UserPoolId=aws.pool, ClientId=aws.client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Long-enough-1-password"})
    return answer["AuthenticationResult"]["RefreshToken"]


def test_cognito_disable_marks_the_table_disables_and_signs_out(aws):
    sub = aws.subs["jo.worker"]
    refresh = refresh_token(aws, "jo.worker")
    assert aws.directory.is_active(sub)
    account = aws.directory.disable("jo.worker")
    assert account == Account("jo.worker", "cjit", "northshire_cjit", False)
    assert not aws.directory.is_active(sub)
    assert aws.directory.is_active(aws.subs["pc.jones"])
    assert aws.cognito.admin_get_user(UserPoolId=aws.pool, Username="jo.worker")[
        "Enabled"] is False
    with pytest.raises(aws.cognito.exceptions.NotAuthorizedException):   # signed out
        aws.cognito.admin_initiate_auth(
            UserPoolId=aws.pool, ClientId=aws.client, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh})
    item = aws.dynamodb.get_item(TableName="dipforms-test",
                                 Key={"pk": {"S": f"USER#{sub}"}, "sk": {"S": "ACCESS"}})
    assert item["Item"]["disabled"] == {"BOOL": True}
    assert "jo.worker" not in json.dumps(item["Item"])     # the table keeps the sub only
    assert aws.directory.enable("jo.worker").enabled
    assert aws.directory.is_active(sub)
    assert aws.cognito.admin_get_user(UserPoolId=aws.pool, Username="jo.worker")["Enabled"]


def test_cognito_list_and_an_unknown_user(aws):
    aws.directory.disable("pc.jones")
    assert aws.directory.accounts() == [
        Account("jo.worker", "cjit", "northshire_cjit", True),
        Account("pc.jones", "police", "northshire_police", False)]
    with pytest.raises(UnknownUser):
        aws.directory.disable("nobody")


def test_with_cognito_a_disabled_users_next_request_is_refused(aws, tmp_path, generated):
    """The app end to end in AWS's arrangement: a Cognito-signed ID token (our own key in
    place of the pool's), the DynamoDB store and the directory on moto."""
    import app as api_app
    from chalice.test import Client
    from chalicelib.runtime import set_runtime
    from chalicelib.store.dynamodb import DynamoDBStore
    from chalicelib.tokens import CognitoVerifier
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt import PyJWKSet
    from jwt.algorithms import RSAAlgorithm

    from tests.api_harness import make_runtime

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = {"keys": [{**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": "k1",
                      "alg": "RS256", "use": "sig"}]}
    runtime, _ = make_runtime(tmp_path, generated, DynamoDBStore("dipforms-test",
                                                                 aws.dynamodb))
    runtime.settings = dataclasses.replace(aws.settings, data_dir=tmp_path)
    runtime.verifier = CognitoVerifier(issuer=aws.settings.cognito_issuer,
                                       client_id="app-client", jwks=PyJWKSet.from_dict(jwks))
    runtime.directory = aws.directory
    now = epoch_seconds(runtime.clock)
    token = jwt.encode({"sub": aws.subs["jo.worker"], "aud": "app-client",
                        "iss": aws.settings.cognito_issuer, "token_use": "id", "iat": now,
                        "exp": now + 3600, "cognito:groups": ["cjit"],
                        "custom:agency": "northshire_cjit"}, key, algorithm="RS256",
                       headers={"kid": "k1"})
    set_runtime(runtime)
    try:
        with Client(api_app.app) as client:
            def status() -> int:
                return client.http.get("/v1/forms", headers={
                    "Authorization": f"Bearer {token}"}).status_code
            assert status() == 200
            aws.directory.disable("jo.worker")
            assert status() == 401
            aws.directory.enable("jo.worker")
            assert status() == 200
    finally:
        set_runtime(None)


def test_the_pool_comes_from_the_issuer_and_a_request_makes_no_cognito_client(aws):
    from chalicelib.cognito_directory import CognitoDirectory

    made = []
    directory = CognitoDirectory.from_settings(
        aws.settings, cognito=lambda: made.append("client") or aws.cognito,
        dynamodb=aws.dynamodb)
    assert directory.user_pool_id == aws.pool
    assert directory.is_active(aws.subs["jo.worker"]) and made == []
    directory.disable("jo.worker")
    assert made == ["client"] and not directory.is_active(aws.subs["jo.worker"])


def test_cognito_on_one_machine_keeps_its_marks_in_the_users_file(aws, tmp_path):
    """`dipforms run` signing in through Cognito keeps its records in SQLite, and so the
    marks of disabled users: no DynamoDB table is asked, and the next request is refused."""
    from chalicelib.cognito_directory import CognitoDirectory, FileMarks

    settings = dataclasses.replace(aws.settings, store="sqlite", data_dir=tmp_path)
    directory = CognitoDirectory.from_settings(settings, cognito=aws.cognito)
    assert isinstance(directory.marks, FileMarks)
    sub = aws.subs["jo.worker"]
    assert directory.is_active(sub)
    directory.disable("jo.worker")
    assert not directory.is_active(sub) and directory.is_active(aws.subs["pc.jones"])
    again = CognitoDirectory.from_settings(settings, cognito=aws.cognito)  # another process
    assert not again.is_active(sub)
    assert "Item" not in aws.dynamodb.get_item(
        TableName="dipforms-test", Key={"pk": {"S": f"USER#{sub}"}, "sk": {"S": "ACCESS"}})
    directory.enable("jo.worker")
    assert again.is_active(sub)
