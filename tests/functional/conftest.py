"""Fixtures for the API tests: generated JSON built once, a store per backend, the app."""

from __future__ import annotations

import pytest

from tests.api_harness import Api, make_runtime, write_generated


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    return write_generated(tmp_path_factory.mktemp("generated"))


@pytest.fixture(params=["sqlite", "dynamodb"])
def any_store(request, tmp_path):
    """A real store of each backend: SQLite in a temp folder, DynamoDB on moto."""
    if request.param == "sqlite":
        from chalicelib.store.sqlite import SQLiteStore

        yield SQLiteStore(tmp_path / "dipforms.sqlite")
        return
    import boto3
    from chalicelib.store.dynamodb import DynamoDBStore, create_table
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-2")
        create_table(client, "dipforms-test")
        yield DynamoDBStore("dipforms-test", client)


@pytest.fixture
def api(any_store, tmp_path, generated):
    import app as api_app
    from chalice.test import Client
    from chalicelib.runtime import set_runtime

    runtime, secret = make_runtime(tmp_path, generated, any_store)
    set_runtime(runtime)
    with Client(api_app.app) as client:
        yield Api(client, runtime, secret)
    set_runtime(None)
