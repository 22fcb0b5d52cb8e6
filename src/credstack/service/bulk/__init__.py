"""Bulk work as jobs: an award import's rows checked, kept, and issued exactly once.

`award_import` checks a file and keeps it as a job; `runner` issues a job's items in batches
that commit each item with its effect; `jobs` lists jobs and retries failed items.
"""

from credstack.service.bulk.award_import import (
    AwardImportRejected,
    Submitted,
    submit_award_import,
)
from credstack.service.bulk.jobs import JobDetail, job_detail, list_jobs, retry_job
from credstack.service.bulk.runner import Progress, Run, run_job
from credstack.service.bulk.views import ItemProblem, JobView

__all__ = [
    "AwardImportRejected",
    "ItemProblem",
    "JobDetail",
    "JobView",
    "Progress",
    "Run",
    "Submitted",
    "job_detail",
    "list_jobs",
    "retry_job",
    "run_job",
    "submit_award_import",
]
