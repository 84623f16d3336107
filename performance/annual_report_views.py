"""The annual report's pages: the report of a strategy's financial year (choose the year, read it, download
an edition as DOCX or PDF) and the officers' form for its introduction and conclusion.

Who may do what is strategy.permissions' (can_view_annual_report, can_edit_annual_report,
annual_report_editions); what the report says is performance/annual_report.py's.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from performance.annual_report import (
    CONTENT_TYPES,
    FinancialYear,
    StaleReport,
    annual_report_text,
    annual_report_text_save,
    build_annual_report,
    default_year,
    render_file,
    report_years,
)
from performance.review_views import period_of, strategy_for
from strategy import permissions
from strategy.models import Marking

NO_CASE_DATA = "Do not include names or details of victims, offenders or other individuals."
EDITION_SLUGS = {Marking(value).label.lower(): value for value in Marking.values}


class YearForm(forms.Form):
    year = forms.ChoiceField(
        label="Financial year",
        error_messages={
            "required": "Choose a financial year",
            "invalid_choice": "Choose one of the strategy's financial years that have begun",
        },
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (year.slug, f"{year} (April {year.year} to March {year.year + 1})") for year in years
        ]


class ReportTextForm(forms.Form):
    introduction = forms.CharField(
        label="Introduction",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Opens the report: what the year was like for the partnership. Leave a blank line between "
        f"paragraphs. Both editions carry it, the OFFICIAL one too: write nothing above OFFICIAL. {NO_CASE_DATA}",
        max_length=20000,
    )
    conclusion = forms.CharField(
        label="Conclusion",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Closes the report: what the partnership will do next. Both editions carry it.",
        max_length=20000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _year_of(strategy, slug):
    """The financial year of the strategy named in the address (2018-19), or 404 saying which exist."""
    return period_of(
        strategy,
        slug,
        periods=report_years(strategy),
        parse=FinancialYear.from_slug,
        kind="a financial year",
        state="begun",
    )


def _crumbs(strategy, *more):
    return [
        (strategy.title, reverse("actions:strategy_detail", args=[strategy.slug])),
        ("Annual report", reverse("performance:annual_report", args=[strategy.slug]) if more else None),
        *more,
    ]


@login_required
@require_GET
def annual_report_page(request, slug):
    """The report of the year chosen (?year=2018-19; by default the latest with work in it, default_year),
    as the reader's highest edition, with the downloads of every edition they may have."""
    strategy = strategy_for(request.user, slug)
    if not permissions.can_view_annual_report(request.user, strategy):
        raise Http404
    years = report_years(strategy)
    form = YearForm({"year": request.GET["year"]} if "year" in request.GET else None, years=years)
    if form.is_bound:
        chosen = FinancialYear.from_slug(form.cleaned_data["year"]) if form.is_valid() else None
    else:
        chosen = default_year(strategy, years, request.user)
        if chosen is not None:
            form = YearForm(initial={"year": chosen.slug}, years=years)
    context = {"strategy": strategy, "form": form, "years": years, "year": chosen, "crumbs": _crumbs(strategy)}
    if chosen is not None:
        editions = permissions.annual_report_editions(request.user, strategy)

        def file_args(edition, kind):
            return [slug, chosen.slug, _edition_slug(edition), kind]

        report = build_annual_report(strategy=strategy, year=chosen, user=request.user, edition=editions[-1])
        context |= {
            "report": report,
            "sections": report.sections,
            "downloads": [
                (
                    Marking(edition).label,
                    [
                        (kind, reverse("performance:annual_report_file", args=file_args(edition, kind)))
                        for kind in ("docx", "pdf")
                    ],
                )
                for edition in editions
            ],
            "may_edit": permissions.can_edit_annual_report(request.user, strategy),
        }
    return render(request, "performance/annual_report.html", context)


def _person(user):
    return (user.get_full_name() or user.get_username()) if user else "Someone"


def _edition_slug(edition):
    return Marking(edition).label.lower()


@login_required
@require_http_methods(["GET", "POST"])
def annual_report_edit(request, slug, year):
    """Officers write the year's introduction and conclusion. A form opened before someone else saved is
    refused with their words shown, and the officer's own kept in the boxes."""
    strategy = strategy_for(request.user, slug)
    year = _year_of(strategy, year)
    if not permissions.can_edit_annual_report(request.user, strategy):
        raise PermissionDenied("Only officers write the annual report's introduction and conclusion.")
    current = annual_report_text(strategy, year)
    conflict = None
    if request.method == "POST":
        form = ReportTextForm(request.POST)
        if form.is_valid():
            try:
                annual_report_text_save(
                    strategy=strategy,
                    year=year,
                    introduction=form.cleaned_data["introduction"],
                    conclusion=form.cleaned_data["conclusion"],
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except StaleReport as stale:
                conflict = stale.current
                # Keep what the officer typed; saving again replaces the newer text knowingly.
                data = request.POST.copy()
                data["version"] = str(conflict.version)
                form = ReportTextForm(data)
                form.is_valid()
                form.add_error(
                    None,
                    f"{_person(conflict.updated_by)} saved this report's introduction and conclusion after you "
                    "opened this page. Their text is shown below;"
                    " yours is still in the boxes. Save again to replace theirs with yours.",
                )
            else:
                messages.success(request, f"The introduction and conclusion of the {year} report have been saved.")
                return redirect(f"{reverse('performance:annual_report', args=[slug])}?year={year.slug}")
    else:
        form = ReportTextForm(
            initial={"introduction": current.introduction, "conclusion": current.conclusion, "version": current.version}
        )
    return render(
        request,
        "performance/annual_report_edit.html",
        {
            "strategy": strategy,
            "year": year,
            "form": form,
            "conflict": conflict,
            "crumbs": _crumbs(strategy, (f"Introduction and conclusion, {year}", None)),
        },
    )


@login_required
@require_GET
def annual_report_file(request, slug, year, edition, file_format):
    """An edition of the year's report, made now from the plan, as a download."""
    strategy = strategy_for(request.user, slug)
    year = _year_of(strategy, year)
    marking = EDITION_SLUGS.get(edition)
    if marking not in permissions.annual_report_editions(request.user, strategy):
        raise Http404("There is no such edition of this report for you.")  # above the reader's clearance
    report = build_annual_report(strategy=strategy, year=year, user=request.user, edition=marking)
    response = HttpResponse(render_file(report, file_format), content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{report.file_name(file_format)}"'
    return response
