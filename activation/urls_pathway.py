"""The pathway pages: the coach's start, enrolment, placements, follow-ups, the ladder.

Kept apart from activation/urls.py (the programme, attendance and allowance pages) so that two
engineers could build them at once; fold them together with
`from activation.urls_pathway import urlpatterns as pathway; urlpatterns += pathway`.
"""

from django.urls import path

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
