//! `volume-expansion-disabled` — documented in rules/volume-expansion-disabled.md

use crate::manifest::{Object, Typed};
use crate::rule::{Context, Rule, Sink};

pub struct VolumeExpansionDisabled;

impl Rule for VolumeExpansionDisabled {
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>) {
        let Typed::StorageClass(sc) = &obj.typed else { return };
        // Local volumes cannot grow whatever the class says.
        if sc.allow_volume_expansion == Some(true) || sc.provisioner == "kubernetes.io/no-provisioner" {
            return;
        }
        let users = cx.index.class_users(obj);
        let Some((sts, field)) = users.first() else { return };
        let at = if obj.has("allowVolumeExpansion") { "allowVolumeExpansion" } else { "metadata.name" };
        out.report(
            at,
            format!(
                "StorageClass `{}` does not allow volume expansion: when StatefulSet `{}` fills its disks, growing them means migrating the data to new volumes",
                obj.name, sts.name
            ),
        )
        .on_value()
        .label("volumes cannot grow")
        .help("set `allowVolumeExpansion: true` (the provisioner must support it; most CSI block drivers do)")
        .related_value(sts, field.clone(), format!("StatefulSet `{}` uses this class", sts.name));
    }
}
