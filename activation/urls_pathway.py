"""The pathway pages: the coach's start, enrolment, placements, follow-ups, the ladder.

Kept apart from activation/urls.py (the programme, attendance and allowance pages), which adds
these patterns and their declarations to its own:
`from activation.urls_pathway import urlpatterns as pathway; urlpatterns += pathway`.
"""

from django.urls import path

from accounts.roles import Role
from accounts.urlaccess import Reach, allow
from activation.views import coach, enrolments, ladder, placements

app_name = "activation"

urlpatterns = [
    path("coach/", coach.coach_start, name="coach-start"),
    path("follow-ups/", placements.follow_ups, name="follow-ups"),
    path("follow-ups/<int:follow_up_id>/", placements.followup_answer, name="followup-answer"),
    path("clients/<uuid:client_id>/", enrolments.client_activation, name="client-activation"),
    path("clients/<uuid:client_id>/enrol/", enrolments.enrolment_create, name="enrolment-create"),
    path(
        "clients/<uuid:client_id>/placements/new/",
        placements.placement_create,
        name="placement-create",
    ),
    path("clients/<uuid:client_id>/pathway/", ladder.pathway_step, name="pathway-step"),
    path("enrolments/<int:enrolment_id>/", enrolments.enrolment_detail, name="enrolment-detail"),
    path("enrolments/<int:enrolment_id>/ipzs/", enrolments.enrolment_ipzs, name="enrolment-ipzs"),
    path("placements/<int:placement_id>/end/", placements.placement_end, name="placement-end"),
    path("partner/placements/", placements.partner_placements, name="partner-placements"),
]

# Who may reach each page (accounts/urlaccess.py; tests/security/test_authorization_matrix.py).
# The person's pages and the rows of a person (an enrolment, a placement, a follow-up) load the
# person through the rule book's part ACTIVATION (activation/views/common.py): the holder and
# their team (cases/ways.py), a coach of a cohort the person takes part in (activation/ways.py).
# A partner cooperative reads its placed workers' activation only on its own list.
_SW, _COACH = Role.SOCIAL_WORKER, Role.JOB_COACH
ACCESS = {
    "coach-start": allow(_COACH),
    # The follow-ups due of the people one follows (reach.person_ids: one's own, no object).
    "follow-ups": allow(_SW, _COACH),
    "followup-answer": allow(_SW, _COACH, reach=Reach.ACTIVATION),
    "client-activation": allow(_SW, _COACH, reach=Reach.ACTIVATION),
    "enrolment-create": allow(_SW, _COACH, reach=Reach.ACTIVATION),
    "placement-create": allow(_SW, _COACH, reach=Reach.ACTIVATION),
    # The ladder's manual step and an IPZS (a plan of the file) are the social worker's.
    "pathway-step": allow(_SW, reach=Reach.ACTIVATION),
    "enrolment-detail": allow(_SW, _COACH, reach=Reach.ACTIVATION),
    "enrolment-ipzs": allow(_SW, reach=Reach.ACTIVATION),
    "placement-end": allow(_SW, _COACH, reach=Reach.ACTIVATION),
    # Only its own placements, only while consent holds (activation.ways.placements_shared_with).
    "partner-placements": allow(Role.PARTNER),
}
