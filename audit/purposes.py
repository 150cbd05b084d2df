"""Why a row of the access log was written: a closed list of codes, never free text.

A purpose names the page or the work, never the person or what was typed: a stated reason (a
break-glass reason, an erasure's grounds) may name someone and is kept elsewhere, encrypted or
coded. `access_log_write` refuses a purpose that is not on this list (an empty purpose is
allowed where the action says everything, e.g. a search). A new page or service adds its code
here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    # cases: the file's pages
    FILE = "file", _("Case file: overview")
    TIMELINE = "timeline", _("Case file: timeline")
    EDIT = "edit", _("Case file: intake form")
    HISTORY = "history", _("Case file: history of changes")
    NOTE = "note", _("Case note")
    ASSESSMENTS = "assessments", _("Case file: assessments")
    ASSESSMENT = "assessment", _("Assessment")
    PLANS = "plans", _("Case file: plans")
    PLAN = "plan", _("Plan")
    PLAN_PDF = "plan_pdf", _("Plan printed")
    PLAN_REVIEW = "plan_review", _("Plan review")
    PLAN_APPROVAL = "plan_approval", _("Plan approval")
    HOUSEHOLD = "household", _("Case file: household")
    HOUSEHOLD_MEMBER = "household_member", _("Household member")
    DO_NOT_DISCLOSE = "do_not_disclose", _("Do-not-disclose list")
    CONSENTS = "consents", _("Case file: consents")
    CONSENT = "consent", _("Consent recorded")
    CONSENT_WITHDRAW = "consent_withdraw", _("Consent withdrawn")
    REFERRALS = "referrals", _("Case file: referrals")
    REFERRAL = "referral", _("Referral sent")
    REFERRAL_DECISION = "referral_decision", _("Referral decided by the partner")
    PARTNER_REFERRALS = "partner_referrals", _("Partner: list of referrals")
    PARTNER_REFERRAL = "partner_referral", _("Partner: a referral")
    DOCUMENTS = "documents", _("Case file: documents")
    DOCUMENT = "document", _("Document")
    CASELOAD = "caseload", _("Caseload")
    SEARCH = "search", _("Finding a person")
    REGISTER = "register", _("Registration")
    CLOSE = "close", _("Case closed")
    REOPEN = "reopen", _("Case reopened")
    # cases: handovers, assignments, emergency access
    HANDOVER_REQUEST = "handover_request", _("Handover requested")
    HANDOVER = "handover", _("File handed over")
    HANDOVER_REFUSE = "handover_refuse", _("Handover refused")
    HANDOVER_QUEUE = "handover_queue", _("Manager: handover requests")
    HANDOVER_REQUESTS = "handover_requests", _("Worker: own handover requests")
    ASSIGN = "assign", _("Manager: assigning a file")
    ASSIGNMENTS = "assignments", _("Manager: files held in the organisation")
    BREAK_GLASS_OPEN = "break_glass_open", _("Emergency access opened")
    BREAK_GLASS_REVIEW = "break_glass_review", _("Emergency access reviewed")
    # cases: walk-ins registered at a facility's door, waiting for a social worker
    WALK_INS = "walk_ins", _("New walk-ins waiting for a social worker")
    WALK_IN_TAKE = "walk_in_take", _("Walk-in's file taken by a social worker")
    # shelters
    BED_BOARD = "bed_board", _("Bed board")
    STAY = "stay", _("Stay")
    CHECK_IN = "check_in", _("Check-in")
    CHECK_IN_FORM = "check_in_form", _("Check-in form")
    CHECK_OUT = "check_out", _("Check-out")
    TRANSFER = "transfer", _("Transfer to another bed")
    STAY_NOTES = "stay_notes", _("Stay notes")
    PRESENCE = "presence", _("Presence")
    HOUSEHOLD_CHECK_IN = "household_check_in", _("Household check-in")
    HOUSEHOLD_CHECK_IN_FORM = "household_check_in_form", _("Household check-in form")
    HOUSEHOLD_CHECK_OUT = "household_check_out", _("Household check-out")
    HOUSEHOLD_TRANSFER = "household_transfer", _("Household moved to another room")
    HOLD = "hold", _("Bed hold")
    HOLD_FORM = "hold_form", _("Bed hold form")
    WAITLIST = "waitlist", _("Waitlist")
    BAN = "ban", _("Ban")
    BANS = "bans", _("List of bans")
    BAN_LIFT = "ban_lift", _("Ban lifted")
    ROLL = "roll", _("Roll of who is in")
    WALK_IN_SEARCH = "walk_in_search", _("Walk-in: finding the person at the door")
    WALK_IN = "walk_in", _("Walk-in registered at the door")
    FACILITY_OPERATOR_GRANT = (
        "facility_operator_grant",
        _("Manager: a worker may operate a facility"),
    )
    FACILITY_OPERATOR_REVOKE = (
        "facility_operator_revoke",
        _("Manager: a worker no longer operates a facility"),
    )
    # activation
    ENROLMENT = "enrolment", _("Enrolment")
    ATTENDANCE = "attendance", _("Attendance of a group's day")
    PLACEMENT = "placement", _("Placement")
    FOLLOW_UP = "follow_up", _("Employment follow-up")
    ALLOWANCE_BONUS = "allowance_bonus", _("Allowance: motivation bonus")
    ALLOWANCE_MONTH_CLOSE = "allowance_month_close", _("Allowance: month closed")
    ALLOWANCE_CORRECTION = "allowance_correction", _("Allowance: correction of a closed month")
    COACH_START = "coach_start", _("Job coach: today's groups and follow-ups")
    ACTIVATION_FILE = "activation_file", _("Client: programmes, placements and the ladder")
    PATHWAY = "pathway", _("Pathway step recorded")
    PARTNER_PLACEMENTS = "partner_placements", _("Partner: workers placed with it")
    ATTENDANCE_SHEET = "attendance_sheet", _("Monthly attendance sheet of a cohort")
    ALLOWANCE_LIST = "allowance_list", _("Allowance: the month's list of a CIS")
    # reports
    REPORT_UNSUPPRESSED = "report_unsuppressed", _("Outcome statistics without suppression")
    REPORT_PEOPLE = "report_people", _("Outcome statistics: the people behind a figure")
    IMPORT_RECORDS = "import_records", _("Import of past records")
    # accounts and privacy
    PASSWORD_CONFIRMATION = "password_confirmation", _("Password confirmation")
    SECOND_FACTOR = "second_factor", _("Second factor: a code typed")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Administrator: a second factor reset")
    SECOND_FACTOR_CODES = "second_factor_codes", _("Second factor: new backup codes")
    ERASURE = "erasure", _("Erasure")
    ERASURE_RELATED = "erasure_related", _("Erasure with a related person")
    RETENTION = "retention", _("Erasure at the end of the retention period")
    RETENTION_DOCUMENTS = (
        "retention_documents",
        _("Documents shredded at the end of their retention period"),
    )
    # privacy: the data protection officer's pages
    DPO_SEARCH = "dpo_search", _("DPO: finding a person")
    DPO_PERSON = "dpo_person", _("DPO: a person's page")
    ACCESS_LOG = "access_log", _("DPO: reading the access log")
    ACCESS_LOG_EXPORT = "access_log_export", _("DPO: access log exported")
    # privacy: restriction of processing (art. 18 GDPR), who saw a file, unusual access
    RESTRICTION_SET = "restriction_set", _("DPO: processing restricted")
    RESTRICTION_LIFT = "restriction_lift", _("DPO: restriction of processing lifted")
    CHECK_IN_RESTRICTED = (
        "check_in_restricted",
        _("Check-in of a person whose processing is restricted (art. 18(2) GDPR: vital interests)"),
    )
    WHO_SAW = "who_saw", _("Who saw the file")
    UNUSUAL_ACCESS = "unusual_access", _("DPO: unusual access")
    DPO_EXPORT = "dpo_export", _("DPO: a person's data package made (art. 15, 20 GDPR)")
    DPO_EXPORT_DOWNLOAD = "dpo_export_download", _("DPO: a person's data package downloaded")
    DPO_REFUSAL = "dpo_refusal", _("DPO: a person's request refused (art. 17(3), 21 GDPR)")
    DPO_REFUSAL_REVIEW = "dpo_refusal_review", _("DPO: a refused request reviewed")
