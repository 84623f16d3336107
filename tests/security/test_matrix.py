"""The role x URL x method matrix, across two partnerships on one deployment.

Every URL pattern the site has (read from the URL resolver) must have at least one row here: a new
pattern without one fails `test_every_url_has_a_row`. Each row is a URL name, an address (ids from the
`world` fixture: {indicator} is Test CSP's, {x_indicator} the other partnership's) and the status
each role gets for GET, then for POST (an empty form), in this order:

    anonymous officer chair lead executive viewer outsider

`outsider` is an officer of the other partnership (cleared for OFFICIAL-SENSITIVE): every address
naming Test CSP's objects is 404 for them, and theirs are 404 for Test CSP's users. 302 for anonymous
is "sent to sign in"; 404 also means "above your clearance"; 403 "you may see it but not do that";
405 "wrong method". Of the back office, its spreadsheet pages (import, confirm, export) are rows
here; its lists come from its registry: BACK_OFFICE has a row per registered model (a new one
without a row fails `test_every_back_office_model_has_a_row`), its list opened by each role, and
neither partnership's list names the other's rows.

Every response is also checked for the security headers (test_headers.py holds the rules).
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib import admin
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from actions.models import Action, Update
from performance.models import Challenge, IndicatorValue, Meeting
from strategy.models import Strategy
from tests.security.test_headers import assert_security_headers

ROLES = ["anonymous", "officer", "chair", "lead", "executive", "viewer", "outsider"]

# name                              address                                              GET ... | POST ...
MATRIX = """
    login                              /accounts/login/                                     200 200 200 200 200 200 200 | 200 200 200 200 200 200 200
    logout                             /accounts/logout/                                    405 405 405 405 405 405 405 | 302 302 302 302 302 302 302
    password_change                    /accounts/password_change/                           302 200 200 200 200 200 200 | 302 200 200 200 200 200 200
    password_change_done               /accounts/password_change/done/                      302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    password_reset                     /accounts/password_reset/                            200 200 200 200 200 200 200 | 200 200 200 200 200 200 200
    password_reset_done                /accounts/password_reset/done/                       200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    password_reset_confirm             /accounts/reset/MQ/set-password/                     200 200 200 200 200 200 200 | 200 200 200 200 200 200 200
    password_reset_complete            /accounts/reset/done/                                200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    strategy:accessibility             /accessibility/                                      200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    strategy:privacy                   /privacy/                                            200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    strategy:healthz                   /healthz                                             200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    strategy:audit_log                 /audit/                                              302 200 403 403 403 403 200 | 302 405 405 405 405 405 405
    strategy:audit_log_csv             /audit/download.csv                                  302 200 403 403 403 403 200 | 302 405 405 405 405 405 405
    strategy:two_factor_setup          /accounts/two-factor/set-up/                         302 200 200 200 200 200 200 | 302 200 200 200 200 200 200
    strategy:two_factor_verify         /accounts/two-factor/                                302 302 302 302 302 302 302 | 302 302 302 302 302 302 302
    strategy:two_factor_recovery_codes /accounts/two-factor/recovery-codes/                 302 302 302 302 302 302 302 | 302 302 302 302 302 302 302
    actions:home                       /                                                    302 302 302 302 302 302 302 | 302 405 405 405 405 405 405
    actions:strategy_list              /strategies/                                         302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    actions:strategy_add               /strategies/new/                                     302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    actions:strategy_detail            /strategies/test-2024-2027/                          302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    actions:strategy_detail            /strategies/elsewhere-2024/                          302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    actions:my_actions                 /my/                                                 302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    actions:action_list                /actions/                                            302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    actions:action_list                /actions/?strategy=test-2024-2027                    302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    actions:action_list                /actions/?strategy=elsewhere-2024                    302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    actions:action_list_csv            /actions/download.csv?strategy=test-2024-2027        302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    actions:action_list_csv            /actions/download.csv?strategy=elsewhere-2024        302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    actions:action_list_xlsx           /actions/download.xlsx?strategy=test-2024-2027       302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    actions:action_list_xlsx           /actions/download.xlsx?strategy=elsewhere-2024       302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    actions:action_detail              /actions/{v1_1}/                                     302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    actions:action_detail              /actions/{c1_1}/                                     302 200 404 404 200 404 404 | 302 405 405 405 405 405 405
    actions:action_detail              /actions/{x1_1}/                                     302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    actions:action_update              /actions/{v1_1}/update/                              302 200 200 200 403 403 404 | 302 200 200 200 403 403 404
    actions:action_update              /actions/{c1_1}/update/                              302 200 404 404 403 404 404 | 302 200 404 404 403 404 404
    actions:action_update              /actions/{x1_1}/update/                              302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    actions:import_list                /imports/                                            302 200 403 403 403 403 200 | 302 405 405 405 405 405 405
    actions:import_upload              /imports/new/                                        302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    actions:import_detail              /imports/{import}/                                   302 200 403 403 403 403 404 | 302 302 403 403 403 403 404
    actions:import_detail              /imports/{x_import}/                                 302 404 404 404 404 404 200 | 302 404 404 404 404 404 302
    actions:import_cancel              /imports/{import}/cancel/                            302 405 405 405 405 405 405 | 302 302 403 403 403 403 404
    actions:import_cancel              /imports/{x_import}/cancel/                          302 405 405 405 405 405 405 | 302 404 404 404 404 404 302
    actions:plan_export                /strategies/test-2024-2027/export.xlsx               302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    actions:plan_export                /strategies/test-2024-2027/export.csv                302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    actions:plan_export                /strategies/elsewhere-2024/export.xlsx               302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    public:partnership                 /public/tcsp/                                        200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    public:partnership                 /public/elsewhere/                                   404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    public:strategy                    /public/tcsp/test-2024-2027/                         200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    public:strategy                    /public/elsewhere/elsewhere-2024/                    404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    public:strategy                    /public/elsewhere/elsewhere-2024/?preview            404 404 404 404 404 404 200 | 405 405 405 405 405 405 405
    public:strategy                    /public/tcsp/elsewhere-2024/?preview                 404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    public:data_dictionary             /public/tcsp/test-2024-2027/data/                    200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    public:data_dictionary             /public/elsewhere/elsewhere-2024/data/?preview       404 404 404 404 404 404 200 | 405 405 405 405 405 405 405
    public:open_data                   /public/tcsp/test-2024-2027/actions.csv              200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    public:open_data                   /public/tcsp/test-2024-2027/status-history.csv       200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    public:open_data                   /public/tcsp/test-2024-2027/indicators.csv           200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    public:open_data                   /public/elsewhere/elsewhere-2024/actions.csv?preview 404 404 404 404 404 404 200 | 405 405 405 405 405 405 405
    public:open_data                   /public/elsewhere/elsewhere-2024/indicators.csv      404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    public:publication                 /strategies/test-2024-2027/publication/              302 200 403 403 403 403 404 | 302 302 403 403 403 403 404
    public:publication                 /strategies/elsewhere-2024/publication/              302 404 404 404 404 404 200 | 302 404 404 404 404 404 302
    public:publication_item            /strategies/test-2024-2027/publication/action/{v1_1}/ 302 200 403 403 403 403 404 | 302 302 403 403 403 403 404
    public:publication_item            /strategies/test-2024-2027/publication/action/{c1_1}/ 302 200 403 403 403 403 404 | 302 302 403 403 403 403 404
    public:publication_item            /strategies/test-2024-2027/publication/action/{x1_1}/ 302 404 403 403 403 403 404 | 302 404 403 403 403 403 404
    public:publication_item            /strategies/elsewhere-2024/publication/action/{x1_1}/ 302 404 404 404 404 404 200 | 302 404 404 404 404 404 302
    performance:round_list             /rounds/                                             302 200 403 403 403 403 200 | 302 405 405 405 405 405 405
    performance:round_open             /rounds/new/                                         302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    performance:round_returns          /rounds/{round}/                                     302 200 403 403 403 403 404 | 302 405 405 405 405 405 405
    performance:round_returns          /rounds/{x_round}/                                   302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    performance:round_remind           /rounds/{round}/remind/                              302 405 405 405 405 405 405 | 302 302 403 403 403 403 404
    performance:round_remind           /rounds/{x_round}/remind/                            302 405 405 405 405 405 405 | 302 404 404 404 404 404 302
    performance:round_change           /rounds/{round}/change/                              302 200 403 403 403 403 404 | 302 200 403 403 403 403 404
    performance:round_change           /rounds/{x_round}/change/                            302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:round_close            /rounds/{round}/close/                               302 200 403 403 403 403 404 | 302 400 403 403 403 403 404
    performance:round_close            /rounds/{x_round}/close/                             302 404 404 404 404 404 200 | 302 404 404 404 404 404 400
    performance:round_correction       /rounds/corrections/{v1_1}/                          302 200 403 403 403 403 404 | 302 200 403 403 403 403 404
    performance:round_correction       /rounds/corrections/{x1_1}/                          302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:signoff_queue          /sign-off/                                           302 200 200 403 403 403 200 | 302 405 405 405 405 405 405
    performance:signoff_review         /sign-off/{submitted}/                               302 200 200 403 403 403 404 | 302 200 200 403 403 403 404
    performance:signoff_review         /sign-off/{x_submitted}/                             302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:indicator_list         /indicators/                                         302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    performance:indicator_list         /indicators/?strategy=test-2024-2027                 302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:indicator_detail       /indicators/{indicator}/                             302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:indicator_detail       /indicators/{sensitive_indicator}/                   302 200 404 404 200 404 404 | 302 405 405 405 405 405 405
    performance:indicator_detail       /indicators/{x_indicator}/                           302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    performance:value_add              /indicators/{indicator}/values/new/                  302 200 403 200 403 403 404 | 302 200 403 200 403 403 404
    performance:value_add              /indicators/{sensitive_indicator}/values/new/        302 200 404 404 403 404 404 | 302 200 404 404 403 404 404
    performance:value_add              /indicators/{x_indicator}/values/new/                302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:value_correct          /indicators/{indicator}/values/{value}/correct/      302 200 403 200 403 403 404 | 302 200 403 200 403 403 404
    performance:value_correct          /indicators/{x_indicator}/values/{x_value}/correct/  302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:value_import_list      /indicators/imports/                                 302 200 403 200 403 403 200 | 302 405 405 405 405 405 405
    performance:value_import_upload    /indicators/imports/new/                             302 200 403 200 403 403 200 | 302 200 403 200 403 403 200
    performance:value_import_detail    /indicators/imports/{value_import}/                  302 200 403 403 403 403 404 | 302 302 403 403 403 403 404
    performance:value_import_detail    /indicators/imports/{x_value_import}/                302 404 404 404 404 404 200 | 302 404 404 404 404 404 302
    performance:value_import_cancel    /indicators/imports/{value_import}/cancel/           302 405 405 405 405 405 405 | 302 302 403 403 403 403 404
    performance:value_import_cancel    /indicators/imports/{x_value_import}/cancel/         302 405 405 405 405 405 405 | 302 404 404 404 404 404 302
    performance:review_home            /review/                                             302 302 302 302 302 302 302 | 302 405 405 405 405 405 405
    performance:review_latest          /review/test-2024-2027/                              302 302 302 302 302 302 404 | 302 405 405 405 405 405 405
    performance:review_latest          /review/elsewhere-2024/                              302 404 404 404 404 404 302 | 302 405 405 405 405 405 405
    performance:review                 /review/test-2024-2027/2024-Q1/                      302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:review                 /review/elsewhere-2024/2024-Q1/                      302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    performance:challenge_record       /review/test-2024-2027/2024-Q1/challenges/           302 405 405 405 405 405 405 | 302 200 200 403 200 403 404
    performance:review_pack_issue      /review/test-2024-2027/2024-Q1/packs/                302 405 405 405 405 405 405 | 302 200 403 403 403 403 404
    performance:review_pack_issue      /review/elsewhere-2024/2024-Q1/packs/                302 405 405 405 405 405 405 | 302 404 404 404 404 404 200
    performance:review_objectives      /review/test-2024-2027/2024-Q1/objectives/           302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:review_objectives      /review/elsewhere-2024/2024-Q1/objectives/           302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    performance:challenge_record       /review/elsewhere-2024/2024-Q1/challenges/           302 405 405 405 405 405 405 | 302 404 404 404 404 404 200
    performance:meeting_list           /meetings/                                           302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    performance:meeting_add            /meetings/new/                                       302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    performance:meeting_add            /meetings/new/?strategy=test-2024-2027               302 200 403 403 403 403 404 | 302 200 403 403 403 403 404
    performance:meeting_detail         /meetings/{meeting}/                                 302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:meeting_detail         /meetings/{x_meeting}/                               302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    performance:meeting_detail         /meetings/{sensitive_meeting}/                       302 200 404 404 200 404 404 | 302 405 405 405 405 405 405
    performance:meeting_edit           /meetings/{meeting}/change/                          302 200 403 403 403 403 404 | 302 200 403 403 403 403 404
    performance:meeting_edit           /meetings/{x_meeting}/change/                        302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:pack_generate          /meetings/{meeting}/packs/                           302 405 405 405 405 405 405 | 302 302 403 403 403 403 404
    performance:pack_generate          /meetings/{x_meeting}/packs/                         302 405 405 405 405 405 405 | 302 404 404 404 404 404 302
    performance:pack_download          /meetings/{meeting}/packs/{pack}.pdf                 302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:pack_download          /meetings/{meeting}/packs/{pack}.xlsx                302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:pack_download          /meetings/{meeting}/packs/{sensitive_pack}.pdf       302 200 404 404 200 404 404 | 302 405 405 405 405 405 405
    performance:pack_download          /meetings/{x_meeting}/packs/{x_pack}.pdf             302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    performance:pack_file              /packs/{pack}.pdf                                    302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:pack_file              /packs/{quarter_pack}.xlsx                           302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:pack_file              /packs/{sensitive_quarter_pack}.xlsx                 302 200 404 404 200 404 404 | 302 405 405 405 405 405 405
    performance:pack_file              /packs/{x_quarter_pack}.pdf                          302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    performance:annual_report          /annual-reports/test-2024-2027/                      302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:annual_report          /annual-reports/elsewhere-2024/                      302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    performance:annual_report_edit     /annual-reports/test-2024-2027/2024-25/edit/         302 200 403 403 403 403 404 | 302 200 403 403 403 403 404
    performance:annual_report_edit     /annual-reports/elsewhere-2024/2024-25/edit/         302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:annual_report_file     /annual-reports/test-2024-2027/2024-25/official.docx 302 200 200 200 200 200 404 | 302 405 405 405 405 405 405
    performance:annual_report_file     /annual-reports/test-2024-2027/2025-26/official-sensitive.pdf 302 200 404 404 200 404 404 | 302 405 405 405 405 405 405
    performance:annual_report_file     /annual-reports/elsewhere-2024/2024-25/official.pdf  302 404 404 404 404 404 200 | 302 405 405 405 405 405 405
    evidence:home                      /evidence/                                           302 200 403 403 403 403 200 | 302 405 405 405 405 405 405
    evidence:area_upload               /evidence/area/                                      302 405 405 405 405 405 405 | 302 400 403 403 403 403 400
    evidence:police_upload             /evidence/police/                                    302 405 405 405 405 405 405 | 302 400 403 403 403 403 400
    evidence:police_import_detail      /evidence/police/{police_import}/                    302 200 403 403 403 403 404 | 302 302 403 403 403 403 404
    evidence:police_import_detail      /evidence/police/{x_police_import}/                  302 404 404 404 404 404 200 | 302 404 404 404 404 404 302
    evidence:police_import_cancel      /evidence/police/{police_import}/cancel/             302 405 405 405 405 405 405 | 302 302 403 403 403 403 404
    evidence:police_import_cancel      /evidence/police/{x_police_import}/cancel/           302 405 405 405 405 405 405 | 302 404 404 404 404 404 302
    evidence:crime_counts_csv          /evidence/crime-counts.csv?start=2024-01&end=2024-12 302 200 403 403 403 403 200 | 302 405 405 405 405 405 405
    evidence:assessment                /evidence/assessment/                                302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    evidence:assessment                /evidence/assessment/?end=2024-13                    302 400 400 400 400 400 400 | 302 405 405 405 405 405 405
    evidence:assessment_xlsx           /evidence/assessment.xlsx                            302 302 302 302 302 302 302 | 302 405 405 405 405 405 405
    evidence:crime_indicator_create    /evidence/indicators/new/                            302 200 403 403 403 403 200 | 302 400 403 403 403 403 400
    evidence:crime_indicator_edit      /evidence/indicators/{crime_indicator}/change/       302 200 403 403 403 403 404 | 302 400 403 403 403 403 404
    evidence:crime_indicator_edit      /evidence/indicators/{x_crime_indicator}/change/     302 404 403 403 403 403 200 | 302 404 403 403 403 403 400
    evidence:crime_indicator_recompute /evidence/indicators/{crime_indicator}/recompute/    302 405 405 405 405 405 405 | 302 302 403 403 403 403 404
    evidence:crime_indicator_recompute /evidence/indicators/{x_crime_indicator}/recompute/  302 405 405 405 405 405 405 | 302 404 403 403 403 403 302
    performance:meeting_held           /meetings/{meeting}/held/                            302 405 405 405 405 405 405 | 302 302 403 403 403 403 404
    performance:meeting_held           /meetings/{x_meeting}/held/                          302 405 405 405 405 405 405 | 302 404 404 404 404 404 302
    performance:decision_list          /decisions/                                          302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    performance:decision_list_csv      /decisions/download.csv                              302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    performance:decision_list_csv      /decisions/download.csv?state=open                   302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    performance:decision_list_xlsx     /decisions/download.xlsx                             302 200 200 200 200 200 200 | 302 405 405 405 405 405 405
    performance:decision_detail        /decisions/{decision}/                               302 200 200 200 200 200 404 | 302 200 403 200 403 403 404
    performance:decision_detail        /decisions/{sensitive_decision}/                     302 200 404 404 200 404 404 | 302 200 404 404 403 404 404
    performance:decision_detail        /decisions/{x_decision}/                             302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:decision_edit          /decisions/{decision}/change/                        302 200 403 403 403 403 404 | 302 200 403 403 403 403 404
    performance:decision_edit          /decisions/{x_decision}/change/                      302 404 404 404 404 404 200 | 302 404 404 404 404 404 200
    performance:decision_respond       /decisions/{decision}/respond/                       302 405 405 405 405 405 405 | 302 200 403 200 403 403 404
    performance:decision_respond       /decisions/{x_decision}/respond/                     302 405 405 405 405 405 405 | 302 404 404 404 404 404 200
    performance:meeting_attendance     /meetings/{meeting}/attendance/                      302 200 403 403 403 403 404 | 302 302 403 403 403 403 404
    performance:meeting_attendance     /meetings/{x_meeting}/attendance/                    302 404 404 404 404 404 200 | 302 404 404 404 404 404 302
    notifications:preferences          /notifications/                                      302 200 200 200 200 200 200 | 302 200 200 200 200 200 200
    notifications:unsubscribe          /notifications/unsubscribe/not-a-token/              400 400 400 400 400 400 400 | 400 400 400 400 400 400 400
    notifications:follow               /actions/{v1_1}/follow/                              302 405 405 405 405 405 405 | 302 302 302 302 302 302 404
    notifications:follow               /actions/{c1_1}/follow/                              302 405 405 405 405 405 405 | 302 302 404 404 302 404 404
    notifications:follow               /actions/{x1_1}/follow/                              302 405 405 405 405 405 405 | 302 404 404 404 404 404 302
    notifications:unfollow             /actions/{v1_1}/unfollow/                            302 405 405 405 405 405 405 | 302 302 302 302 302 302 404
    notifications:unfollow             /actions/{x1_1}/unfollow/                            302 405 405 405 405 405 405 | 302 404 404 404 404 404 302
    api:api-root                       /api/v1/                                             200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:partnership-list               /api/v1/partnerships/                                200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:partnership-detail             /api/v1/partnerships/{partnership}/                  200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:partnership-detail             /api/v1/partnerships/{x_partnership}/                404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:strategy-list                  /api/v1/strategies/                                  200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:strategy-detail                /api/v1/strategies/{strategy}/                       200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:strategy-detail                /api/v1/strategies/{x_strategy}/                     404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:action-list                    /api/v1/strategies/{strategy}/actions/               200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:action-list                    /api/v1/strategies/{x_strategy}/actions/             404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:action-detail                  /api/v1/strategies/{strategy}/actions/{v1_1}/        200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:action-detail                  /api/v1/strategies/{strategy}/actions/{c1_1}/        404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:action-detail                  /api/v1/strategies/{x_strategy}/actions/{x1_1}/      404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:delivery_group-list            /api/v1/delivery-groups/                             200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:delivery_group-detail          /api/v1/delivery-groups/{group}/                     200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:delivery_group-detail          /api/v1/delivery-groups/{x_group}/                   404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:objective-list                 /api/v1/objectives/                                  200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:objective-detail               /api/v1/objectives/{objective}/                      200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:objective-detail               /api/v1/objectives/{x_objective}/                    404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:indicator-list                 /api/v1/indicators/                                  200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:indicator-detail               /api/v1/indicators/{indicator}/                      200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:indicator-detail               /api/v1/indicators/{sensitive_indicator}/            404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:indicator-detail               /api/v1/indicators/{x_indicator}/                    404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:indicator_value-list           /api/v1/indicator-values/                            200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:indicator_value-detail         /api/v1/indicator-values/{value}/                    200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:indicator_value-detail         /api/v1/indicator-values/{x_value}/                  404 404 404 404 404 404 404 | 405 405 405 405 405 405 405
    api:schema                         /api/schema/                                         200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:docs                           /api/docs/                                           200 200 200 200 200 200 200 | 405 405 405 405 405 405 405
    api:keys                           /api-keys/                                           302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    api:key_revoke                     /api-keys/{api_key}/revoke/                          302 405 405 405 405 405 405 | 302 302 403 403 403 403 404
    api:key_revoke                     /api-keys/{x_api_key}/revoke/                        302 405 405 405 405 405 405 | 302 404 403 403 403 403 302
    admin:strategy_organisation_import         /admin/strategy/organisation/import/         302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    admin:strategy_organisation_process_import /admin/strategy/organisation/process_import/ 302 405 405 405 405 405 405 | 302 200 403 403 403 403 200
    admin:strategy_organisation_export         /admin/strategy/organisation/export/         302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    admin:strategy_person_import               /admin/strategy/person/import/               302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    admin:strategy_person_process_import       /admin/strategy/person/process_import/       302 405 405 405 405 405 405 | 302 200 403 403 403 403 200
    admin:strategy_person_export               /admin/strategy/person/export/               302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    admin:performance_indicator_import         /admin/performance/indicator/import/         302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    admin:performance_indicator_process_import /admin/performance/indicator/process_import/ 302 405 405 405 405 405 405 | 302 200 403 403 403 403 200
    admin:performance_indicator_export         /admin/performance/indicator/export/         302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    admin:performance_indicatorvalue_export    /admin/performance/indicatorvalue/export/    302 200 403 403 403 403 200 | 302 200 403 403 403 403 200
    admin:actions_action_import                /admin/actions/action/import/                302 302 403 403 403 403 302 | 302 302 403 403 403 403 302
    admin:actions_action_process_import        /admin/actions/action/process_import/        302 403 403 403 403 403 403 | 302 403 403 403 403 403 403
    admin:actions_action_export                /admin/actions/action/export/                302 200 200 200 200 200 200 | 302 200 200 200 200 200 200
"""


@pytest.fixture(autouse=True)
def during_the_rounds_quarter():
    """The world's round is for 2026/27 Q3: closing it is refused (400) until that quarter ends."""
    with time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC)):
        yield


def rows():
    for line in MATRIX.strip().splitlines():
        name, url, *codes = line.split()
        split = codes.index("|")
        get, post = codes[:split], codes[split + 1 :]
        assert len(get) == len(post) == len(ROLES), line
        yield name, url, dict(zip(ROLES, map(int, get), strict=True)), dict(zip(ROLES, map(int, post), strict=True))


ROWS = list(rows())


# The back office's spreadsheet pages (django-import-export's) are rows here; its lists are in
# BACK_OFFICE below.
ADMIN_SPREADSHEETS = ("_import", "_process_import", "_export")


def url_patterns(patterns=None, namespace=None, prefix=""):
    """Every URL pattern of the site outside the back office, and the back office's spreadsheet pages,
    as ("namespace:name", route)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern).removeprefix("^") if prefix else str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, pattern.namespace or namespace, route)
        elif isinstance(pattern, URLPattern):
            if namespace == "admin" and not (pattern.name or "").endswith(ADMIN_SPREADSHEETS):
                continue
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name, route


def resolved(url):
    """The name and route a row's address reaches (any id will do to find the pattern)."""
    match = resolve(re.sub(r"\{\w+\}", "1", urlsplit(url).path))
    return match.view_name, match.route


def test_every_url_has_a_row():
    """Rows are matched to patterns by resolving their addresses, so a new pattern fails here even
    when it reuses a name that already has a row."""
    covered = set()
    for name, url, *_ in ROWS:
        try:
            view_name, route = resolved(url)
        except Resolver404:
            pytest.fail(f"a row for an address the site no longer has: {url}")
        assert view_name == name, f"{url} is {view_name}, not {name}"
        covered.add(route)
    missing = sorted(f"{name} {route}" for name, route in url_patterns() if route not in covered)
    assert not missing, f"URLs with no row in tests/security/test_matrix.py (add one per role and method): {missing}"


def test_objects_of_both_partnerships_are_named():
    """Each URL that takes an id is tried with Test CSP's object and with the other partnership's."""
    by_name = {}
    for name, url, *_ in ROWS:
        by_name.setdefault(name, []).append(url)
    for name, urls in by_name.items():
        if any("{" in url for url in urls):
            assert any("{x" in url for url in urls), f"{name} is never tried with the other partnership's object"


@pytest.mark.parametrize(("name", "url", "get", "post"), ROWS, ids=[f"{r[0]} {r[1]}" for r in ROWS])
def test_role_url_method(name, url, get, post, world, users, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    address = url.format(**world["ids"])
    outcomes = {}
    for method, expected in (("get", get), ("post", post)):
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(users[role])
            response = getattr(client, method)(address, {})
            outcomes[f"{method} {role}"] = (response.status_code, expected[role])
            if response.status_code == 302 and role == "anonymous" and expected[role] == 302:
                sign_in = "/admin/login/" if name.startswith("admin:") else "/accounts/login/"
                assert response.url.startswith(sign_in), response.url
            if role == "anonymous" and name.startswith("public:"):
                assert not response.cookies, f"{address} sets a cookie for a member of the public"
            if response.get("Content-Type", "").startswith("text/html"):
                assert_security_headers(response)
    wrong = {key: got for key, (got, want) in outcomes.items() if got != want}
    assert not wrong, (
        f"{address}: unexpected statuses {wrong} (expected { ({k: w for k, (g, w) in outcomes.items()}) })"
    )


# The back office: each registered model's list, GET by each role (same order as above). The
# action-plan imports' record is officers'; the sign-in lockout, two-factor devices and task queue
# are superusers' (403).
BACK_OFFICE = """
    actions.action                      302 200 200 200 200 200 200
    actions.actionplanimport            302 200 403 403 403 403 200
    actions.deliverygroup               302 200 200 200 200 200 200
    actions.objective                   302 200 200 200 200 200 200
    actions.update                      302 200 200 200 200 200 200
    auth.user                           302 200 200 200 200 200 200
    axes.accessattempt                  302 403 403 403 403 403 403
    axes.accessfailurelog               302 403 403 403 403 403 403
    axes.accesslog                      302 403 403 403 403 403 403
    django_tasks_database.dbtaskresult  302 403 403 403 403 403 403
    otp_static.staticdevice             302 403 403 403 403 403 403
    otp_totp.totpdevice                 302 403 403 403 403 403 403
    performance.challenge               302 200 200 200 200 200 200
    performance.indicator               302 200 200 200 200 200 200
    performance.indicatorvalue          302 200 200 200 200 200 200
    performance.indicatorvalueimport    302 200 200 200 200 200 200
    performance.meeting                 302 200 200 200 200 200 200
    performance.meetingpack             302 200 200 200 200 200 200
    performance.roundemail              302 200 200 200 200 200 200
    performance.updateround             302 200 200 200 200 200 200
    strategy.membership                 302 200 200 200 200 200 200
    strategy.organisation               302 200 200 200 200 200 200
    strategy.partnership                302 200 200 200 200 200 200
    strategy.person                     302 200 200 200 200 200 200
    strategy.strategicobjective         302 200 200 200 200 200 200
    strategy.strategy                   302 200 200 200 200 200 200
"""
BACK_OFFICE_ROWS = [
    (label, dict(zip(ROLES, map(int, codes), strict=True)))
    for label, *codes in map(str.split, BACK_OFFICE.strip().splitlines())
]
# Words only one partnership's rows carry (the `world` fixture): Test CSP's, then the other's.
NAMED_IN_TEST_CSP = [
    "Test Community Safety Partnership",
    "Test strategy 2024-2027",
    "Lena Lead",
    "Carla Chair",
    "Test Police",
    "Identify repeat victims",
]
NAMED_ELSEWHERE = ["Elsewhere", "X1.1"]


def test_every_back_office_model_has_a_row():
    assert sorted(label for label, _ in BACK_OFFICE_ROWS) == sorted(
        model._meta.label_lower for model in admin.site._registry
    )


@pytest.mark.parametrize(("label", "expected"), BACK_OFFICE_ROWS, ids=[label for label, _ in BACK_OFFICE_ROWS])
def test_back_office_list(label, expected, world, users):
    address = reverse(f"admin:{label.replace('.', '_')}_changelist")
    outcomes = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        response = client.get(address)
        outcomes[role] = response.status_code
        page = response.content.decode()
        others = NAMED_IN_TEST_CSP if role == "outsider" else NAMED_ELSEWHERE
        assert [words for words in others if words in page] == [], f"{role} on {address}"
    assert outcomes == expected


# An officer of Test CSP cleared for OFFICIAL only. The strategy is OFFICIAL but holds the
# OFFICIAL-SENSITIVE CONTEST group, and an import rewrites (and its preview shows) the plan as a
# whole, so the action-plan import pages are refused (strategy.permissions.can_import_plan); the
# rest of the strategy is theirs as any officer's. The upload page offers them only "Import into a
# new strategy" (one they are cleared for, being its author).
# name                    address                          GET | POST
OFFICIAL_OFFICER_MATRIX = """
    actions:import_list     /imports/                        403 | 405
    actions:import_upload   /imports/new/                    200 | 403
    actions:import_detail   /imports/{import}/               403 | 403
    actions:import_cancel   /imports/{import}/cancel/        405 | 403
    actions:strategy_detail /strategies/test-2024-2027/      200 | 405
    actions:action_update   /actions/{v1_1}/update/          200 | 200
    actions:action_detail   /actions/{c1_1}/                 404 | 405
"""


def official_officer_rows():
    for line in OFFICIAL_OFFICER_MATRIX.strip().splitlines():
        name, url, get, _, post = line.split()
        yield name, url, int(get), int(post)


@pytest.mark.parametrize(("name", "url", "get", "post"), list(official_officer_rows()))
def test_an_officer_not_cleared_for_all_of_a_strategy_gets_no_import_page(name, url, get, post, world, plan):
    from actions.models import ActionPlanImport
    from strategy.models import Marking, Membership
    from tests.conftest import make_user

    official = make_user(
        "official-officer", partnership=plan["partnership"], role=Membership.Role.OFFICER, clearance=Marking.OFFICIAL
    )
    client = Client()
    client.force_login(official)
    address = url.format(**world["ids"])
    assert (client.get(address).status_code, client.post(address, {}).status_code) == (get, post)
    assert ActionPlanImport.objects.get(pk=world["import"].pk).state == "checking"


# Forms filled in as their users would. The matrix posts empty forms; here a role the form is refused
# to gets its status and the data is unchanged, and a role allowed to changes it (302). Each case is
# an address, what is posted, the data it changes, and the status each role gets ("*": the rest).
def _updates(action):
    return lambda world: list(Update.objects.filter(action_id=world["ids"][action]).values_list("pk", flat=True))


def _submitted(world):
    return Update.objects.get(pk=world["ids"]["submitted"]).review_state


def _values(indicator):
    return lambda world: list(IndicatorValue.objects.filter(indicator_id=world["ids"][indicator]).values_list("value"))


def _held_back(world):
    return list(Action.objects.filter(held_back=True).values_list("ref", flat=True))


def _decisions(world):
    return list(Challenge.objects.order_by("pk").values_list("state", flat=True))


def _held(world):
    return Meeting.objects.get(pk=world["ids"]["meeting"]).held_at


UPDATE = {"status": "in_progress", "rag": "green", "progress": "10", "seen_update": "none"}
VALUE = {"period": "2024/25 Q2", "value": "12", "correction_reason": "Recounted"}
ACTION_EDITORS = {"anonymous": 302, "officer": 302, "chair": 302, "lead": 302, "outsider": 404, "*": 403}
CLEARED_OFFICER = {"anonymous": 302, "officer": 302, "executive": 403, "*": 404}
OFFICER_AND_LEAD = {"anonymous": 302, "officer": 302, "lead": 302, "outsider": 404, "*": 403}
OFFICER = {"anonymous": 302, "officer": 302, "outsider": 404, "*": 403}
SIGNERS = {"anonymous": 302, "officer": 302, "chair": 302, "outsider": 404, "*": 403}
FILLED_IN = [
    ("update", "/actions/{v1_1}/update/", UPDATE, _updates("v1_1"), ACTION_EDITORS),
    (
        "update sensitive",
        "/actions/{c1_1}/update/",
        UPDATE,
        _updates("c1_1"),
        CLEARED_OFFICER,
    ),
    ("approve", "/sign-off/{submitted}/", {"decision": "approve"}, _submitted, SIGNERS),
    (
        "return",
        "/sign-off/{submitted}/",
        {"decision": "return", "comment": "Add this quarter's figures."},
        _submitted,
        SIGNERS,
    ),
    ("value", "/indicators/{indicator}/values/new/", VALUE, _values("indicator"), OFFICER_AND_LEAD),
    (
        "sensitive value",
        "/indicators/{sensitive_indicator}/values/new/",
        VALUE,
        _values("sensitive_indicator"),
        CLEARED_OFFICER,
    ),
    ("correct value", "/indicators/{indicator}/values/{value}/correct/", VALUE, _values("indicator"), OFFICER_AND_LEAD),
    ("hold back", "/strategies/test-2024-2027/publication/action/{v1_1}/", {"held_back": "on"}, _held_back, OFFICER),
    (
        "close decision",
        "/decisions/{decision}/",
        {"state": "done", "response": "Reported."},
        _decisions,
        OFFICER_AND_LEAD,
    ),
    (
        "close sensitive decision",
        "/decisions/{sensitive_decision}/",
        {"state": "done", "response": "Done."},
        _decisions,
        CLEARED_OFFICER,
    ),
    ("meeting held", "/meetings/{meeting}/held/", {}, _held, OFFICER),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("case", "url", "data", "state", "outcomes"), FILLED_IN, ids=[c[0] for c in FILLED_IN])
def test_a_filled_in_form_changes_the_data_only_for_whom_it_may(
    case, url, data, state, outcomes, role, world, plan, users
):
    if url.startswith("/sign-off/"):
        Strategy.objects.filter(pk=plan["strategy"].pk).update(requires_sign_off=True)
    expected = outcomes.get(role, outcomes.get("*"))
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    before = state(world)
    posted = {key: value.format(**world["ids"]) for key, value in data.items()}
    response = client.post(url.format(**world["ids"]), posted)
    assert response.status_code == expected
    changed = state(world) != before
    assert changed is (expected == 302 and role != "anonymous"), f"{case}: {before!r} -> {state(world)!r}"
