//! `unsafe-backup-job` — documented in rules/unsafe-backup-job.md

use crate::backup::{cronjobs, Target};
use crate::diagnostic::Severity;
use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

pub struct UnsafeBackupJob;

impl Rule for UnsafeBackupJob {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        match &obj.typed {
            Typed::StatefulSet(_) => {
                let Some(t) = Target::of(obj) else { return };
                for cj in cronjobs(cx.index, &t) {
                    check_backup_cronjob(cj, out);
                }
            }
            Typed::Job(_) => check_job(obj, out),
            _ => {}
        }
    }
}

fn check_backup_cronjob<'a>(cj: &'a Object, out: &mut Sink<'a>) {
    let Typed::CronJob(c) = &cj.typed else { return };
    let job = c.spec.job_template.spec.as_ref();
    let mut missing = Vec::new();
    let mut at = None;
    match c.spec.concurrency_policy.as_deref() {
        Some("Forbid") => {}
        Some(_) => {
            missing.push("`concurrencyPolicy: Forbid` (with Allow, a slow backup overlaps the next; with Replace, it is killed)");
            at.get_or_insert(("spec.concurrencyPolicy", true));
        }
        None => {
            missing.push("`concurrencyPolicy: Forbid` (the default, Allow, lets a slow backup overlap the next)");
            at.get_or_insert(("spec.concurrencyPolicy", false));
        }
    }
    if c.spec.starting_deadline_seconds.is_none() {
        missing.push("`startingDeadlineSeconds` (a missed schedule may start at a busy hour, or after 100 misses never again)");
        at.get_or_insert(("spec.startingDeadlineSeconds", false));
    }
    if job.and_then(|j| j.active_deadline_seconds).is_none() {
        missing.push("`jobTemplate.spec.activeDeadlineSeconds` (a hung dump holds locks and blocks the next run forever)");
        at.get_or_insert(("spec.jobTemplate.spec.activeDeadlineSeconds", false));
    }
    if job.and_then(|j| j.backoff_limit).is_none() {
        missing.push("`jobTemplate.spec.backoffLimit` (the default retries six times against a database that may be struggling)");
        at.get_or_insert(("spec.jobTemplate.spec.backoffLimit", false));
    }
    let Some((field, on_value)) = at else { return };
    let p = out.report_on(cj, field, format!("backup CronJob `{}` lacks {}", cj.name, missing.join("; ")));
    if on_value {
        p.on_value();
    }
    p.label("unsafe backup schedule")
        .help("set `concurrencyPolicy: Forbid`, `startingDeadlineSeconds`, and in the job template `activeDeadlineSeconds` and `backoffLimit`");
}

fn check_job<'a>(job: &'a Object, out: &mut Sink<'a>) {
    let Typed::Job(j) = &job.typed else { return };
    let Some(spec) = j.spec.as_ref() else { return };
    let mut missing = Vec::new();
    if spec.backoff_limit.is_none() {
        missing.push("`backoffLimit`");
    }
    if spec.active_deadline_seconds.is_none() {
        missing.push("`activeDeadlineSeconds`");
    }
    if spec.ttl_seconds_after_finished.is_none() {
        missing.push("`ttlSecondsAfterFinished`");
    }
    if missing.is_empty() {
        return;
    }
    out.report("spec", format!("Job `{}` sets no {}: it may retry, hang or linger without bound", job.name, missing.join(", ")))
        .severity(Severity::Note)
        .label("unbounded Job")
        .help("bound the Job: `backoffLimit` (retries), `activeDeadlineSeconds` (run time) and `ttlSecondsAfterFinished` (cleanup)");
}
