//! `missing-storage-class` — documented in rules/missing-storage-class.md

use crate::manifest::Object;
use crate::rule::{Context, Rule, Sink};
use crate::storage::{claim_class_choice, ClassChoice};

pub struct MissingStorageClass;

impl Rule for MissingStorageClass {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Some(sts) = obj.statefulset() else { return };
        for (i, vct) in sts.spec.volume_claim_templates.iter().flatten().enumerate() {
            // The beta annotation still selects a class; only a claim that
            // names none at all gets the cluster's default.
            if !matches!(claim_class_choice(vct, i), ClassChoice::Default) {
                continue;
            }
            let claim = vct.metadata.name.as_deref().unwrap_or("?");
            let default = cx
                .index
                .default_storage_class(obj)
                .map_or("whatever class the cluster marks as default".to_string(), |d| format!("the default class (`{}` among the linted objects)", d.name));
            out.report(
                format!("spec.volumeClaimTemplates[{i}].metadata.name"),
                format!("volumeClaimTemplate `{claim}` of StatefulSet `{}` names no storageClassName: its volumes get {default}, which differs between clusters", obj.name),
            )
            .on_value()
            .label("no storageClassName")
            .help("name the class the data needs (`storageClassName: fast-ssd`), or `\"\"` for pre-provisioned volumes");
        }
    }
}
