//! `database-in-deployment` — documented in rules/database-in-deployment.md

use crate::catalog::container_store;
use crate::manifest::{Object, Typed};
use crate::rule::{Rule, Sink};

pub struct DatabaseInDeployment;

impl Rule for DatabaseInDeployment {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Typed::Deployment(d) = &obj.typed else { return };
        let Some(pod) = obj.pod() else { return };
        let Some((c, store)) = pod
            .containers(false)
            .into_iter()
            .find_map(|c| container_store(c.container).map(|s| (c, s)))
        else {
            return;
        };
        let replicas = d.spec.replicas.unwrap_or(1);
        let claims = pod.spec.volumes.iter().flatten().any(|v| v.persistent_volume_claim.is_some());
        let recreate = d.spec.strategy.as_ref().and_then(|s| s.type_.as_deref()) == Some("Recreate");
        let why = if replicas >= 2 {
            format!("its {replicas} replicas are interchangeable pods sharing one identity and one set of volumes, not members with their own data")
        } else if claims && !recreate {
            "a rolling update starts the new pod before the old one stops: on another node it cannot attach the ReadWriteOnce volume, on the same node two servers write one data directory".to_string()
        } else {
            // One replica with a claim and Recreate: a deliberate small
            // setup. One replica without a claim keeps its data in the pod:
            // `ephemeral-data` reports that, where the data directory is.
            return;
        };
        let field = if obj.has("spec.replicas") && replicas >= 2 { "spec.replicas".to_string() } else { format!("{}.image", c.path) };
        out.report(&field, format!("Deployment `{}` runs {}: {why}", obj.name, store.name))
            .on_value()
            .label("a database in a Deployment")
            .help("run databases as a StatefulSet with `volumeClaimTemplates` (stable identity and one volume per pod); a single-instance Deployment needs a claim and `strategy: {type: Recreate}` at least");
    }
}
