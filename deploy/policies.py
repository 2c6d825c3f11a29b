"""What each Lambda function may do in AWS: the IAM actions by function, as plain data.

The stack (stack.py) turns these into one role per function, scoped to the stage's own
resources; tests/deploy/test_policy_coverage.py records the boto3 calls the app really
makes under moto and fails when a function makes one that its list does not allow. Pure.
"""

from __future__ import annotations

#: The Chalice names of the app's functions (api/app.py) and their SAM logical ids.
FUNCTIONS = {"api_handler": "APIHandler", "deliver_notifications": "DeliverNotifications",
             "sweep_deadlines": "SweepDeadlines"}

#: DynamoDB actions on the stage's table and its indexes, by function. IAM checks each part
#: of a TransactWriteItems as its own action (Put as PutItem, Update as UpdateItem, Delete
#: as DeleteItem, ConditionCheck as ConditionCheckItem), so those are listed too.
TABLE_ACTIONS = {
    "api_handler": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                    "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                    "dynamodb:ConditionCheckItem", "dynamodb:TransactWriteItems"),
    "deliver_notifications": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"),
    # fires deadlines: a case change with its entries and events, never a record attached
    # (ConditionCheck), a party dropped or a term changed (Delete), or a list read (BatchGet)
    "sweep_deadlines": ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem",
                        "dynamodb:UpdateItem", "dynamodb:TransactWriteItems"),
}

#: Partition-key prefixes whose items are never deleted, and never updated, by anyone the
#: policy covers: the append-only history (docs/storage.md). Only derived rows (idempotency
#: keys, case list rows) are deleted. Denied with the dynamodb:LeadingKeys condition, so the
#: rule holds even against a bug in our code.
NEVER_DELETED = ("RECORD#*", "AUDIT#*", "OUTBOX#*", "CASE#*")
NEVER_UPDATED = ("AUDIT#*",)

#: Which functions send, and read the stage's settings and secret.
SENDS_EMAIL = ("deliver_notifications",)
PUBLISHES_SNS = ("deliver_notifications",)
READS_STAGE = tuple(FUNCTIONS)        # every function reads the SSM parameter and secret
