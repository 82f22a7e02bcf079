//! `missing-backup` — documented in rules/missing-backup.md

use crate::backup::{find, Target};
use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};

pub struct MissingBackup;

impl Rule for MissingBackup {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(t) = Target::of(obj) else { return };
        if t.claims.is_empty() || find(cx.index, &t).is_some() {
            return;
        }
        out.report(
            "spec.volumeClaimTemplates",
            format!(
                "StatefulSet `{}` keeps data in volumeClaimTemplates but nothing among the linted objects backs it up; looked for {}",
                obj.name,
                t.describe()
            ),
        )
        .label("persistent data with no backup")
        .help("add a backup CronJob (e.g. a dump from `<name>-0.<service>` to object storage), scheduled VolumeSnapshots of the claims, or a Velero Schedule for the namespace");
    }
}
