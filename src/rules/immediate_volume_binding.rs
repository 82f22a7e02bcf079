//! `immediate-volume-binding` — documented in rules/immediate-volume-binding.md

use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};
use crate::storage::topology_constrained;

pub struct ImmediateVolumeBinding;

impl Rule for ImmediateVolumeBinding {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Typed::StorageClass(sc) = &obj.typed else { return };
        if sc.volume_binding_mode.as_deref().is_some_and(|m| m != "Immediate") || !topology_constrained(sc) {
            return;
        }
        let users = cx.index.class_users(obj);
        let Some((sts, field)) = users.first() else { return };
        let (at, how) = if obj.has("volumeBindingMode") {
            ("volumeBindingMode", "`volumeBindingMode: Immediate`")
        } else {
            ("metadata.name", "the default `volumeBindingMode` (Immediate)")
        };
        let p = out
            .report(
                at,
                format!(
                    "StorageClass `{}` uses {how}: each volume is created before its pod is scheduled, in a zone or node chosen without the pod's constraints, so StatefulSet `{}` pods can end up unschedulable",
                    obj.name, sts.name
                ),
            )
            .on_value()
            .label("volumes bound before scheduling")
            .help("set `volumeBindingMode: WaitForFirstConsumer` so each volume is created where its pod is scheduled");
        p.related_value(sts, field.clone(), format!("StatefulSet `{}` uses this class", sts.name));
    }
}
