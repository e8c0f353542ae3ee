"""What kiosks send, checked against its one statement: reports.schema.json beside this module.

The schema is compiled once by fastjsonschema (a maintained validator that turns a schema into plain
Python code: fast enough to check 200 events a batch on every request). Everything else that depends on
the shape reads it from here: the kinds of event, the batch's size, the longest duration.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastjsonschema

SCHEMA_PATH = Path(__file__).with_name("reports.schema.json")
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
_DEFINITIONS = SCHEMA["definitions"]

EVENT_TYPES: frozenset[str] = frozenset(_DEFINITIONS["event"]["properties"]["type"]["enum"])
MAX_BATCH_EVENTS: int = _DEFINITIONS["batch"]["properties"]["events"]["maxItems"]
MAX_DURATION_MS: int = _DEFINITIONS["event"]["properties"]["ms"]["maximum"]
MAX_QUEUED: int = _DEFINITIONS["heartbeat"]["properties"]["queued"]["maximum"]
MAX_BODY_BYTES = 64 * 1024


class ReportRefused(ValueError):
    """A report (or a part of it) that does not follow the schema, with the reason in plain words."""


def _validator(name: str):
    return fastjsonschema.compile(SCHEMA | {"$ref": f"#/definitions/{name}"})


def _envelope_validator():
    """The batch with its events only required to be objects: each event is then checked on its own."""
    batch = json.loads(json.dumps(_DEFINITIONS["batch"]))
    batch["properties"]["events"]["items"] = {"type": "object"}
    return fastjsonschema.compile(
        SCHEMA | {"definitions": _DEFINITIONS | {"envelope": batch}} | {"$ref": "#/definitions/envelope"}
    )


_VALIDATORS = {name: _validator(name) for name in ("event", "batch", "heartbeat", "enrolment")}
_VALIDATORS["envelope"] = _envelope_validator()


def _reason(error: fastjsonschema.JsonSchemaValueException) -> str:
    """fastjsonschema's message ("data.events[3].type must be one of […]") without its "data." prefix."""
    message = str(error.message)
    return message.removeprefix("data.").removeprefix("data ")


def parse(body: bytes) -> Any:
    """The request's JSON, or ReportRefused: never more than MAX_BODY_BYTES."""
    if len(body) > MAX_BODY_BYTES:
        raise ReportRefused(f"a report is at most {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, a number of thousands of digits, nested deep
        raise ReportRefused("the body is not JSON") from None


def check(name: str, data: Any) -> dict:
    """``data`` if it is a valid ``name`` (heartbeat, enrolment), else ReportRefused saying why."""
    try:
        _VALIDATORS[name](data)
    except fastjsonschema.JsonSchemaValueException as error:
        raise ReportRefused(_reason(error)) from None
    return data


@dataclass
class CheckedBatch:
    """A batch's valid events, and the events refused on their own (each with its reason)."""

    sent_at: float
    clock_offset: float | None
    events: list[dict]
    refused: list[tuple[Any, str]] = field(default_factory=list)


def check_batch(data: Any) -> CheckedBatch:
    """A batch whose envelope is valid: its good events kept, each bad event refused with its reason.

    A batch that is wrong as a whole (not an object, no events, too many) raises ReportRefused: one bad
    event does not cost the visits recorded beside it."""
    check("envelope", data)
    good, refused = [], []
    for number, item in enumerate(data["events"]):
        try:
            _VALIDATORS["event"](item)
            good.append(item)
        except fastjsonschema.JsonSchemaValueException as error:
            refused.append((item, f"events[{number}]" + str(error.message).removeprefix("data")))
    return CheckedBatch(data["sent_at"], data.get("clock_offset"), good, refused)
