"""Background work for the member registry (Django Tasks API: the database backend in production, inline in tests)."""

from __future__ import annotations

from django_tasks import task

from partycare.members.models import ImportJob


@task()
def run_roster_import(job_id: int) -> dict[str, int]:
    """Validates and imports one uploaded roster; the job row carries progress, errors and the outcome."""
    from partycare.members.roster import run_import_job

    job = ImportJob.objects.select_related("created_by", "org").filter(pk=job_id).first()
    if job is None:
        return {"created": 0, "errors": 0}
    result = run_import_job(job)
    if result is None:
        return {"created": job.created_count, "errors": job.error_count}
    return {"created": result.created, "errors": result.error_count}
