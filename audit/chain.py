"""How one access-log row is sealed: mac = HMAC-SHA256(audit key, prev_mac || canonical content).

Written once here, used by the writer (services) and the checker (verify), so the two cannot drift.
The content is JSON with sorted keys and no spaces: every field is named and quoted, so no two
different rows encode to the same bytes. `prev_mac` is always 64 hex characters.

`way` (how the access was granted) came later: it is in the content only when it is not empty,
so the rows written before it existed keep their MACs and the chain verifies across the change,
while a way set on a newer row is sealed like every other field (emptying it changes the MAC).

`chain` (which of the log's chains the row is in) likewise: in the content only when it is not
0, so the rows written before chains existed are chain 0 with their MACs unchanged, and a row
moved to another chain no longer matches its MAC.
"""

import datetime
import hashlib
import hmac
import json
import uuid

# The fields a row's MAC covers, in addition to `prev_mac`: everything it records.
SEALED_FIELDS = (
    "chain",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "subject_id",
    "action",
    "purpose",
    "request_id",
    "ip_address",
    "outcome",
    "way",
)


def canonical_content(
    *,
    chain: int = 0,
    seq: int,
    at: datetime.datetime,
    actor_id: int | None,
    actor_role: str,
    subject_id: uuid.UUID | None,
    action: str,
    purpose: str,
    request_id: str,
    ip_address: str | None,
    outcome: str,
    way: str = "",
) -> bytes:
    """The row's content as unambiguous bytes (values as the database gives them back)."""
    content = {
        "seq": seq,
        # Microseconds always written, in UTC, so the text does not depend on the value.
        "at": at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "subject_id": str(subject_id) if subject_id is not None else None,
        "action": str(action),
        "purpose": purpose,
        "request_id": request_id,
        "ip_address": ip_address,
        "outcome": str(outcome),
    }
    if way:
        content["way"] = str(way)
    if chain:
        content["chain"] = int(chain)
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_mac(key: bytes, prev_mac: str, content: bytes) -> str:
    """The MAC sealing a row to its predecessor, as 64 hex characters."""
    return hmac.new(key, prev_mac.encode() + content, hashlib.sha256).hexdigest()
