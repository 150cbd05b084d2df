"""Writes to case files, by concern: each in one transaction, checked against the rule book
(cases.access.require_change, the very question the pages ask), saved through audit.record
(full_clean, history user and reason, one access-log row).

The public services are importable from here (`from cases import services`).
"""

from cases.services.assignments import (
    assignment_start,
    break_glass_open,
    break_glass_review,
    client_handover,
    handover_accept,
    handover_refuse,
    handover_request,
)
from cases.services.clients import (
    CLIENT_FIELDS,
    case_close,
    case_reopen,
    client_register,
    client_update,
)
from cases.services.household import do_not_disclose_add, household_member_add
from cases.services.notes import assessment_record, note_add, note_edit
from cases.services.plans import (
    goal_add,
    goal_update,
    plan_approve,
    plan_create,
    plan_new_version,
    plan_review,
    plan_submit,
    progress_recordable,
    step_add,
    step_update,
)
from cases.services.sharing import (
    consent_holds,
    consent_record,
    consent_withdraw,
    document_upload,
    referral_decide,
    referral_send,
    sniff_document_type,
)
from cases.services.walkins import walk_in_register, walk_in_take

# The name the test factories and older callers use for starting an assignment.
_assign = assignment_start

__all__ = [
    "CLIENT_FIELDS",
    "assessment_record",
    "assignment_start",
    "break_glass_open",
    "break_glass_review",
    "case_close",
    "case_reopen",
    "client_handover",
    "client_register",
    "client_update",
    "consent_holds",
    "consent_record",
    "consent_withdraw",
    "do_not_disclose_add",
    "document_upload",
    "goal_add",
    "goal_update",
    "handover_accept",
    "handover_refuse",
    "handover_request",
    "household_member_add",
    "note_add",
    "note_edit",
    "plan_approve",
    "plan_create",
    "plan_new_version",
    "plan_review",
    "plan_submit",
    "progress_recordable",
    "referral_decide",
    "referral_send",
    "sniff_document_type",
    "step_add",
    "step_update",
    "walk_in_register",
    "walk_in_take",
]
