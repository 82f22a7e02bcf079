//! `pgdata-not-subdirectory` — documented in rules/pgdata-not-subdirectory.md

use crate::catalog::image_name;
use crate::manifest::{Object, PodView};
use crate::rule::{Rule, Sink};
use crate::yaml::Node;

pub struct PgdataNotSubdirectory;

/// The official image's data directory before PostgreSQL 18.
const DEFAULT_PGDATA: &str = "/var/lib/postgresql/data";

fn norm(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() { "/" } else { t }
}

/// Major version from an image tag such as `16.4-alpine`; `None` when not numeric.
fn major(image: &str) -> Option<u32> {
    let last = image.split('@').next()?.rsplit('/').next()?;
    let tag = last.split_once(':')?.1;
    tag.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Volume sources formatted as a filesystem on a block device, whose root
/// holds `lost+found` (claims, generic ephemeral volumes, cloud and block disks).
const BLOCK_BACKED: &[&str] = &[
    "persistentVolumeClaim",
    "ephemeral",
    "awsElasticBlockStore",
    "gcePersistentDisk",
    "azureDisk",
    "cinder",
    "rbd",
    "iscsi",
    "fc",
    "vsphereVolume",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "photonPersistentDisk",
    "csi",
];

/// Whether volume `name` can hold `lost+found` at its root: a claim template,
/// or a pod volume on a block device (not emptyDir, hostPath, NFS …).
fn can_hold_lost_found(obj: &Object, pod: &PodView<'_>, name: &str) -> bool {
    let template = obj
        .statefulset()
        .and_then(|s| s.spec.volume_claim_templates.as_ref())
        .into_iter()
        .flatten()
        .any(|t| t.metadata.name.as_deref() == Some(name));
    if template {
        return true;
    }
    obj.at(&format!("{}.volumes", pod.spec_path))
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .find(|v| v.get("name").and_then(Node::as_str) == Some(name))
        .is_some_and(|v| BLOCK_BACKED.iter().any(|k| v.get(k).is_some()))
}

impl Rule for PgdataNotSubdirectory {
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>) {
        let Some(pod) = obj.pod() else { return };
        for c in pod.containers(false) {
            let Some(image) = c.container.image.as_deref() else { continue };
            // The official image (and images built on it) run initdb in PGDATA.
            if !matches!(image_name(image), "postgres" | "postgis" | "timescaledb" | "timescaledb-ha") {
                continue;
            }
            let mounts = c.container.volume_mounts.as_deref().unwrap_or_default();
            let env = c.container.env.as_deref().unwrap_or_default();
            let pgdata = env.iter().enumerate().rev().find(|(_, e)| e.name == "PGDATA");
            match pgdata {
                Some((j, e)) => {
                    let Some(v) = e.value.as_deref() else { continue };
                    let Some((m, mount)) = mounts.iter().enumerate().find(|(_, m)| norm(&m.mount_path) == norm(v)) else { continue };
                    if !can_hold_lost_found(obj, &pod, &mount.name) {
                        continue;
                    }
                    out.report(
                        format!("{}.env[{j}].value", c.path),
                        format!("PGDATA of container `{}` is the mount point of volume `{}` itself: initdb refuses a non-empty directory, and a fresh volume already holds `lost+found`", c.container.name, mount.name),
                    )
                    .on_value()
                    .label("PGDATA is the volume's root")
                    .help(format!("point PGDATA at a subdirectory of the mount, e.g. `{}/pgdata`", norm(v)))
                    .related_value(obj, format!("{}.volumeMounts[{m}].mountPath", c.path), "the volume is mounted here");
                }
                None => {
                    let Some((m, mount)) = mounts.iter().enumerate().find(|(_, m)| norm(&m.mount_path) == DEFAULT_PGDATA) else { continue };
                    let Some(major) = major(image) else { continue };
                    if major >= 18 {
                        // 18+ keep PGDATA in /var/lib/postgresql/<major>/docker and
                        // refuse to start over data at the old path.
                        out.report(
                            format!("{}.volumeMounts[{m}].mountPath", c.path),
                            format!("PostgreSQL {major} images keep their data in /var/lib/postgresql/{major}/docker, outside volume `{}` mounted at {DEFAULT_PGDATA}: the data is not on the volume (and an existing database there stops the container from starting)", mount.name),
                        )
                        .on_value()
                        .label("not where PostgreSQL 18+ keeps its data")
                        .help("mount the volume at /var/lib/postgresql (18+ layout), or set PGDATA to a subdirectory of this mount");
                        continue;
                    }
                    if !can_hold_lost_found(obj, &pod, &mount.name) {
                        continue;
                    }
                    out.report(
                        format!("{}.volumeMounts[{m}].mountPath", c.path),
                        format!("volume `{}` is mounted at {DEFAULT_PGDATA}, which is PGDATA itself since container `{}` does not set PGDATA: initdb fails on the volume's `lost+found`", mount.name, c.container.name),
                    )
                    .on_value()
                    .label("the default PGDATA is this mount point")
                    .help(format!("set the env var `PGDATA` to a subdirectory, e.g. `{DEFAULT_PGDATA}/pgdata`"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn major_versions() {
        assert_eq!(super::major("postgres:16.4-alpine"), Some(16));
        assert_eq!(super::major("docker.io/library/postgres:9"), Some(9));
        assert_eq!(super::major("postgres:latest"), None);
        assert_eq!(super::major("postgres"), None);
        assert_eq!(super::major("postgis/postgis:15-3.4"), Some(15));
    }
}
