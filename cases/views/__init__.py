"""The case pages, by concern: the caseload and search, the file (overview, timeline, intake,
history, notes), assessments, plans, the household, consents/referrals/documents, handovers
and assignments (with emergency access), and the partner's side. Thin: load through
cases.access (the rule book), validate a form, call one service, redirect or render.
"""

from cases.views.file import NOTES_PER_PAGE

__all__ = ["NOTES_PER_PAGE"]
