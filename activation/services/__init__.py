"""Every write of activation: `<entity>_<verb>`, keyword-only, one transaction each.

Split by subject; import from here (`from activation import services`).
"""

from activation.services.allowances import (
    allowance_base_add,
    allowance_bonus_set,
    allowance_correction_add,
    allowance_month_close,
    allowance_rate_rule_add,
    programme_allowance_rule_set,
)
from activation.services.attendance import attendance_save_day
from activation.services.enrolments import (
    TRANSITIONS,
    enrolment_create,
    enrolment_ipzs_start,
    enrolment_set_status,
    statuses_open_to,
)
from activation.services.placements import followup_answer, placement_end, placement_start
from activation.services.programmes import (
    cohort_coach_add,
    cohort_coach_remove,
    cohort_create,
    cohort_update,
    programme_create,
    programme_update,
    trade_create,
)

__all__ = [
    "TRANSITIONS",
    "allowance_base_add",
    "allowance_bonus_set",
    "allowance_correction_add",
    "allowance_month_close",
    "allowance_rate_rule_add",
    "attendance_save_day",
    "cohort_coach_add",
    "cohort_coach_remove",
    "cohort_create",
    "cohort_update",
    "enrolment_create",
    "enrolment_ipzs_start",
    "enrolment_set_status",
    "statuses_open_to",
    "followup_answer",
    "placement_end",
    "placement_start",
    "programme_allowance_rule_set",
    "programme_create",
    "programme_update",
    "trade_create",
]
