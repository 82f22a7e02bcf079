//! `ephemeral-data`, while its file is read: the whole rule runs on the
//! object, and the cross-object phase only drops the findings of Redis
//! containers that a mounted ConfigMap (a redis.conf with persistence off)
//! declares a cache.

use crate::catalog::{
    container_store, data_dirs, persistence_by_flags, redis_conf_persistence, DataDir,
};
use crate::manifest::{Object, Typed};
use crate::path::locate;
use crate::source::ByteSpan;
use crate::yaml::Node;

use super::{Extract, FileStorage};

/// A finding of `ephemeral-data`, resolved while its file is read.
pub struct DataFinding {
    pub local: u32,
    /// Dropped when one of these ConfigMaps (names at `syms[start..start +
    /// len]` of the file: those the pod mounts, directly or projected) turns
    /// Redis persistence off: the container's flags leave it to them.
    pub guard: Option<(u32, u32)>,
    pub field: String,
    pub span: ByteSpan,
    pub message: String,
    pub label: String,
    pub help: String,
    pub related: Option<(ByteSpan, String)>,
}

/// What backs a pod volume.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Backing {
    /// Outlives the pod: a claim, a network or cloud disk, or a source stslint
    /// does not know (given the benefit of the doubt).
    Durable,
    /// Configuration, not data (configMap, secret, downwardAPI, projected).
    Config,
    /// Deleted with the pod (the key names the source).
    PodScoped(&'static str),
    /// Stays on one node.
    HostPath,
}

const CONFIG: &[&str] = &[
    "configMap",
    "secret",
    "downwardAPI",
    "projected",
    "image",
    "gitRepo",
];

fn backing(volume: &Node) -> Backing {
    if volume.get("emptyDir").is_some() {
        Backing::PodScoped("emptyDir")
    } else if volume.get("ephemeral").is_some() {
        Backing::PodScoped("ephemeral")
    } else if volume.get("hostPath").is_some() {
        Backing::HostPath
    } else if CONFIG.iter().any(|k| volume.get(k).is_some()) {
        Backing::Config
    } else {
        Backing::Durable
    }
}

fn norm(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        "/"
    } else {
        t
    }
}

/// Whether a mount at `mount` holds `dir` (the dir itself or a parent).
fn covers(mount: &str, dir: &str) -> bool {
    let (m, d) = (norm(mount), norm(dir));
    m == "/" || d == m || d.strip_prefix(m).is_some_and(|r| r.starts_with('/'))
}

struct Mount<'a> {
    index: usize,
    path: &'a str,
    backing: Backing,
    /// Index of the pod volume, when it is one (not a claim template).
    volume: Option<usize>,
    name: &'a str,
}

/// Findings of one object, as [`crate::rule::Sink`] would collect them.
struct Out<'a> {
    obj: &'a Object,
    local: u32,
    list: &'a mut Vec<DataFinding>,
}

impl Out<'_> {
    /// A finding at the key of `field` (or its nearest parent).
    fn report(
        &mut self,
        field: String,
        message: String,
        label: String,
        help: String,
    ) -> &mut DataFinding {
        let span = locate(&self.obj.node, &field, false).0;
        self.list.push(DataFinding {
            local: self.local,
            guard: None,
            field,
            span,
            message,
            label,
            help,
            related: None,
        });
        let last = self.list.len() - 1;
        &mut self.list[last]
    }
}

/// A typed ConfigMap holding a redis.conf with persistence off: record it.
/// Then, for a long-running pod-bearing object, its findings.
pub fn extract(obj: &Object, local: u32, x: &Extract<'_>, facts: &mut FileStorage) {
    if let Typed::ConfigMap(cm) = &obj.typed {
        if cm
            .data
            .iter()
            .flatten()
            .any(|(_, v)| redis_conf_persistence(v) == Some(false))
        {
            facts.redis_off_configs.push(local);
        }
        return;
    }
    if !obj.is_long_running() {
        return;
    }
    let Some(pod) = obj.pod() else { return };
    let daemonset = matches!(obj.typed, Typed::DaemonSet(_));
    let sts = obj.statefulset();
    let templates: Vec<&str> = sts
        .and_then(|s| s.spec.volume_claim_templates.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|t| t.metadata.name.as_deref())
        .collect();
    let volumes = obj
        .at(&format!("{}.volumes", pod.spec_path))
        .map(Node::items)
        .unwrap_or_default();
    let configs = config_names(volumes);
    let out = &mut Out {
        obj,
        local,
        list: &mut facts.ephemeral,
    };
    // Where the names of `configs` are in `facts.syms`, once needed.
    let mut guard = None;
    for c in pod.containers(false) {
        let Some(store) = container_store(c.container) else {
            continue;
        };
        let guarded = match persistence_by_flags(c.container, &store) {
            Some(true) => continue, // a cache by configuration
            Some(false) => false,
            // Redis whose flags leave it to a config file: a cache if a
            // mounted ConfigMap says so (known once every file is read).
            None => !configs.is_empty(),
        };
        let mounts: Vec<Mount> = c
            .container
            .volume_mounts
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, m)| {
                // A claim template replaces a pod volume of the same name.
                let pod_volume = volumes
                    .iter()
                    .position(|v| v.get("name").and_then(Node::as_str) == Some(m.name.as_str()));
                let backing = if templates.contains(&m.name.as_str()) {
                    Backing::Durable
                } else {
                    match pod_volume.and_then(|i| volumes.get(i)) {
                        Some(v) => match backing(v) {
                            // A DaemonSet's pod stays on its node.
                            Backing::HostPath if daemonset => Backing::Durable,
                            b => b,
                        },
                        None => Backing::Durable,
                    }
                };
                Mount {
                    index,
                    path: m.mount_path.as_str(),
                    backing,
                    volume: pod_volume.filter(|_| !templates.contains(&m.name.as_str())),
                    name: m.name.as_str(),
                }
            })
            .filter(|m| m.backing != Backing::Config)
            .collect();
        let durable_somewhere = mounts.iter().any(|m| m.backing == Backing::Durable);
        let pod_scoped: Vec<String> = mounts
            .iter()
            .filter_map(|m| {
                let kind = match m.backing {
                    Backing::PodScoped(k) => k,
                    Backing::HostPath => "hostPath",
                    _ => return None,
                };
                Some(format!("`{}`, {kind} at {}", m.name, m.path))
            })
            .collect();
        let dirs = data_dirs(c.container, &store);
        let fix = help(obj, dirs.first().map(|d| d.path.as_str()));
        let before = out.list.len();
        for dir in &dirs {
            // The innermost mount holding the directory decides.
            let holder = mounts
                .iter()
                .filter(|m| covers(m.path, &dir.path))
                .max_by_key(|m| norm(m.path).len());
            // A default directory not on a durable volume, while one is
            // mounted elsewhere, may have been moved there by a config
            // file stslint cannot read: only explicit settings are sure.
            let sure = dir.explicit() || !durable_somewhere;
            match holder {
                Some(m) if m.backing == Backing::Durable => continue,
                Some(m) if sure => {
                    report_volume(
                        obj,
                        pod.spec_path,
                        &c.path,
                        store.name,
                        &c.container.name,
                        dir,
                        m,
                        &fix,
                        out,
                    );
                    break;
                }
                None if sure && !dir.explicit() && !pod_scoped.is_empty() => {
                    // The image's default is not mounted, but pod-scoped
                    // volumes are: the configuration may put the data
                    // there. Either way it does not outlive the pod.
                    out.report(
                        c.path.clone(),
                        format!(
                            "{} container `{}` of {} `{}` mounts no persistent volume: nothing is mounted at {}{}, and its other volumes ({}) are deleted with the pod or stay on one node; wherever its configuration puts the data, it is lost when the pod is deleted or rescheduled",
                            store.name, c.container.name, obj.kind, obj.name, dir.path, origin(dir), pod_scoped.join(", ")
                        ),
                        "no persistent volume".into(),
                        fix.clone(),
                    );
                    break;
                }
                None if sure => {
                    out.report(
                        c.path.clone(),
                        format!(
                            "{} container `{}` of {} `{}` keeps its data in {}{} but no volume is mounted there: the data is in the container's writable layer, lost whenever the container restarts or the pod is deleted or rescheduled",
                            store.name, c.container.name, obj.kind, obj.name, dir.path, origin(dir)
                        ),
                        format!("nothing mounted at {}", dir.path),
                        fix.clone(),
                    );
                    break;
                }
                _ => break,
            }
        }
        if dirs.is_empty() && !durable_somewhere {
            out.report(
                c.path.clone(),
                format!(
                    "{} container `{}` of {} `{}` mounts no persistent volume: its data, wherever its configuration puts it, is in the container's filesystem or on pod-scoped volumes, lost when the pod is deleted or rescheduled",
                    store.name, c.container.name, obj.kind, obj.name
                ),
                "no persistent volume".into(),
                fix,
            );
        }
        if guarded && out.list.len() > before {
            let guard = *guard.get_or_insert_with(|| {
                let start = facts.syms.len() as u32;
                facts.syms.extend(configs.iter().map(|n| x.sym(n)));
                (start, configs.len() as u32)
            });
            for d in &mut out.list[before..] {
                d.guard = Some(guard);
            }
        }
    }
}

/// The names of the ConfigMaps the pod mounts (directly or projected), for
/// configuration files such as redis.conf.
fn config_names(volumes: &[Node]) -> Vec<&str> {
    let mut names = Vec::new();
    for v in volumes {
        if let Some(n) = v
            .get("configMap")
            .and_then(|c| c.get("name"))
            .and_then(Node::as_str)
        {
            names.push(n);
        }
        for s in v
            .get("projected")
            .and_then(|p| p.get("sources"))
            .map(Node::items)
            .unwrap_or_default()
        {
            if let Some(n) = s
                .get("configMap")
                .and_then(|c| c.get("name"))
                .and_then(Node::as_str)
            {
                names.push(n);
            }
        }
    }
    names
}

fn origin(dir: &DataDir) -> String {
    match &dir.source {
        crate::catalog::DirSource::Default => " (the image's default)".to_string(),
        crate::catalog::DirSource::Argument(a) => format!(" (set by `{a}`)"),
        crate::catalog::DirSource::Env(e) => format!(" (set by env `{e}`)"),
    }
}

fn help(obj: &Object, dir: Option<&str>) -> String {
    let at = dir.map_or("at its data directory".to_string(), |d| format!("at {d}"));
    let how = match obj.typed {
        Typed::StatefulSet(_) => format!("add a `volumeClaimTemplates` entry and mount it {at}: each pod gets its own claim, which outlives the pod"),
        Typed::Deployment(_) => format!("mount a PersistentVolumeClaim {at} (one replica, `strategy: {{type: Recreate}}`), or run it as a StatefulSet with `volumeClaimTemplates`"),
        _ => format!("mount a PersistentVolumeClaim {at}, or run it as a StatefulSet with `volumeClaimTemplates`"),
    };
    format!("{how}; if the data is deliberately disposable (a cache, a test instance), annotate the object with `stslint.io/ignore: ephemeral-data` (for Redis, `--save \"\" --appendonly no` says so and silences this)")
}

#[allow(clippy::too_many_arguments)]
fn report_volume(
    obj: &Object,
    spec_path: &str,
    container_path: &str,
    store: &str,
    container: &str,
    dir: &DataDir,
    m: &Mount<'_>,
    fix: &str,
    out: &mut Out<'_>,
) {
    let (key, what) = match m.backing {
        Backing::PodScoped("ephemeral") => ("ephemeral", "a generic ephemeral volume: its claim is created and deleted with the pod, and the data with it when the pod is deleted or rescheduled".to_string()),
        Backing::PodScoped(k) => (k, "an emptyDir: it survives container restarts but is lost when the pod is deleted or rescheduled".to_string()),
        _ => ("hostPath", "a hostPath: the data stays on one node, and is lost to the pod when it is rescheduled to another node (and outlives it, unmanaged, on the old one)".to_string()),
    };
    let field = match m.volume {
        Some(v) => format!("{spec_path}.volumes[{v}].{key}"),
        None => format!("{container_path}.volumeMounts[{}].mountPath", m.index),
    };
    let mount_field = format!("{container_path}.volumeMounts[{}].mountPath", m.index);
    let msg = format!(
        "{store} container `{container}` of {} `{}` keeps its data in {}{} on volume `{}`, {what}",
        obj.kind,
        obj.name,
        dir.path,
        origin(dir),
        m.name
    );
    let related = (field != mount_field).then(|| {
        (
            locate(&obj.node, &mount_field, true).0,
            format!("mounted at {} here", m.path),
        )
    });
    let p = out.report(
        field,
        msg,
        format!("{} data on {key}", store),
        fix.to_string(),
    );
    p.related = related;
}

#[cfg(test)]
mod tests {
    #[test]
    fn parents_cover_their_children() {
        assert!(super::covers("/var/lib", "/var/lib/mysql"));
        assert!(super::covers("/var/lib/mysql/", "/var/lib/mysql"));
        assert!(super::covers("/", "/data"));
        assert!(!super::covers("/data", "/datalog"));
        assert!(!super::covers("/var/lib/mysql/data", "/var/lib/mysql"));
    }
}
