"""The site's URLs plus test pages: one that always refuses (the 403 page), one inside a section of
the navigation, and one showing every form widget with and without errors."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.generic import TemplateView

from swp.urls import urlpatterns as site_urlpatterns
from tests.strategy.test_govuk_templates import EveryWidgetForm

FORM_PAGE = """{% extends "base.html" %}
{% load govuk %}
{% block title %}{% if form.errors %}Error: {% endif %}Every widget{% endblock %}
{% block before_content %}{% include "includes/_breadcrumbs.html" %}{% endblock %}
{% block content %}
{% include "includes/_marking.html" with marking="OFFICIAL-SENSITIVE" %}
{% include "includes/_error_summary.html" %}
<h1 class="govuk-heading-l">Every widget</h1>
<p class="govuk-body">{% for rating in ratings %}{% status_tag rating %} {% endfor %}</p>
<form method="post" novalidate enctype="multipart/form-data">{% csrf_token %}{{ form }}
<button type="submit" class="govuk-button" data-module="govuk-button">Save</button></form>
{% include "includes/_pagination.html" %}
{% endblock %}
"""


def forbidden(request):
    raise PermissionDenied


def every_widget(request):
    from django.contrib import messages
    from django.core.paginator import Paginator

    form = EveryWidgetForm(data=request.POST or None, files=request.FILES or None)
    if request.method == "POST":
        form.is_valid()
        messages.success(request, "This is what a success message looks like.")
    context = {
        "form": form,
        "crumbs": [("Home", "/"), ("Actions", "/actions/"), ("Every widget", "")],
        "page_obj": Paginator(range(400), 10).page(20),
        "querystring": "status=late",
        "ratings": [
            ("green", "On track"),
            ("amber", "At risk"),
            ("red", "Off track"),
            ("blue", "Not started"),
            ("grey", "Closed"),
            ("purple", "Completed"),
        ],
    }
    template = engines["django"].from_string(FORM_PAGE)
    return HttpResponse(template.render(context, request))


urlpatterns = [
    path("test/forbidden/", forbidden),
    path("test/every-widget/", every_widget),
    path("review/test-page/", TemplateView.as_view(template_name="registration/logged_out.html")),
    *site_urlpatterns,
]
