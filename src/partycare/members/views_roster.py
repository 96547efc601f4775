"""Roster screens: upload a roster, watch its import, list my imports, download the template, export the list."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from partycare.accounts.scope import IMPORT, scope_of
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.members.export import XLSX_CONTENT_TYPE, build_error_report, build_template, export_members
from partycare.members.forms import MemberFilterForm
from partycare.members.models import ImportJob
from partycare.members.roster import COLUMN_BY_FIELD, REQUIRED_FIELDS, job_errors, start_roster_import
from partycare.members.selectors import MemberFilter
from partycare.orgs.forms import IndentedOrgChoiceField
from partycare.orgs.models import OrgStatus
from partycare.orgs.selectors import organisations_visible_to
from partycare.web.forms import StyledForm
from partycare.web.http import attach_service_error, is_htmx, paginate, service_errors_as_http

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
RECENT_JOBS = 5


class RosterUploadForm(StyledForm):
    file = forms.FileField(
        label=gettext_lazy("名册文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    org = IndentedOrgChoiceField(
        queryset=None,
        label=gettext_lazy("导入范围（可选）"),
        required=False,
        empty_label=gettext_lazy("按文件中的“所在党组织”列"),
        help_text=gettext_lazy("选择后只能导入到该组织及其下级；“所在党组织”为空的行导入到该组织。"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["org"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = organisations_visible_to(user, IMPORT).filter(status=OrgStatus.ACTIVE)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".xlsx", ".xlsm"}:
            raise forms.ValidationError(_("请上传 Excel 工作簿（.xlsx）；.xls 文件请先在 Excel 中另存为 .xlsx"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大（上限 20 MB），请分成几个文件上传"))
        return upload


def _require_import(request: HttpRequest) -> None:
    if not scope_of(request.user).allows_anywhere(IMPORT):
        raise HttpForbidden(_("无权导入党员名册"))


def _instructions() -> dict[str, Any]:
    return {
        "required_headers": [COLUMN_BY_FIELD[name].header for name in REQUIRED_FIELDS],
    }


@login_required
@service_errors_as_http
def import_roster_view(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    form = RosterUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = start_roster_import(
                actor=request.user, upload=form.cleaned_data["file"], org=form.cleaned_data.get("org")
            )
        except ServiceError as exc:
            attach_service_error(form, exc)
        else:
            return redirect("roster:job", pk=job.pk)
    recent = ImportJob.objects.visible_to(request.user).select_related("org")[:RECENT_JOBS]
    return render(request, "members/roster/import.html", {"form": form, "recent_jobs": recent, **_instructions()})


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.visible_to(request.user).select_related("org").filter(pk=pk).first()
    if job is None:
        raise Http404()
    return job


@never_cache
@login_required
def job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    context = {"job": job, "errors": job_errors(job)}
    if is_htmx(request):
        return render(request, "members/roster/_job_status.html", context)
    return render(request, "members/roster/job.html", context)


@login_required
def job_list_view(request: HttpRequest) -> HttpResponse:
    page = paginate(request, ImportJob.objects.visible_to(request.user).select_related("org"))
    return render(request, "members/roster/jobs.html", {"page_obj": page, "jobs": page.object_list})


def _xlsx_download(data: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


@login_required
def job_errors_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _own_job(request, pk)
    data = build_error_report(job_errors(job), total=job.error_count)
    return _xlsx_download(data, _("导入错误_%(pk)s.xlsx") % {"pk": job.pk})


@login_required
def template_download(request: HttpRequest) -> HttpResponseBase:
    _require_import(request)
    return _xlsx_download(build_template(user=request.user), _("党员名册导入模板.xlsx"))


@login_required
def export_view(request: HttpRequest) -> HttpResponseBase:
    """The member list's query string (q, org, category, status, roll_state, gender, condition, age_min) → .xlsx."""
    form = MemberFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        # Exporting everything when the filter was meant to narrow it would hand out more than was asked for.
        problems = "；".join(
            f"{form[name].label}：{' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
        )
        return HttpResponseBadRequest(_("筛选条件无效：%(problems)s") % {"problems": problems})
    filters = form.to_filter() if form.is_bound else MemberFilter()
    unmasked = request.GET.get("unmasked") in {"1", "true", "on"}
    try:
        export = export_members(actor=request.user, filters=filters, unmasked=unmasked)
    except PermissionDenied as exc:
        raise HttpForbidden(exc.message) from exc
    return FileResponse(export.handle, as_attachment=True, filename=export.filename, content_type=XLSX_CONTENT_TYPE)
