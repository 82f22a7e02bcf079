//! What the API server's own validation rejects in an object, beyond wrong
//! types and enumerations: port numbers and names, `restartPolicy` per kind,
//! object names, label keys and values, resource quantities and CronJob
//! schedules. These are the mistakes that make `kubectl apply` fail and that
//! no schema check catches. The syntax checks themselves are pure functions
//! in [`crate::validation`]; this module walks an object and says where each
//! one fails. The `invalid-value` rule reports what it finds.

use crate::manifest::{Object, Typed};
use crate::path::{join_key, push_key};
use crate::validation as v;
use crate::yaml::{Node, Value};

/// A value the API server rejects, at a field path of the object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rejection {
    pub field: String,
    pub message: String,
    pub label: String,
    pub help: String,
    /// Point at the value rather than the key.
    pub on_value: bool,
}

impl Rejection {
    fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = label.into();
        self
    }

    fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = help.into();
        self
    }

    fn on_value(&mut self) -> &mut Self {
        self.on_value = true;
        self
    }
}

/// Rejections as they are found, built like a rule's findings.
#[derive(Default)]
struct Rejections(Vec<Rejection>);

impl Rejections {
    fn report(&mut self, field: impl Into<String>, message: impl Into<String>) -> &mut Rejection {
        self.0.push(Rejection {
            field: field.into(),
            message: message.into(),
            ..Rejection::default()
        });
        let last = self.0.len() - 1;
        &mut self.0[last]
    }
}

/// Everything the API server's validation rejects in `obj`, in the order of
/// the checks (names, metadata, labels and quantities anywhere, pod specs,
/// Services, CronJob schedules).
pub fn rejections(obj: &Object) -> Vec<Rejection> {
    let mut c = Checker {
        obj,
        out: Rejections::default(),
    };
    c.object_name();
    c.metadata("metadata");
    if !matches!(obj.typed, Typed::Generic) {
        c.walk(&obj.node, &mut String::new());
    }
    c.pod_spec();
    c.service();
    c.cron_schedule();
    c.out.0
}

struct Checker<'a> {
    obj: &'a Object,
    out: Rejections,
}

/// The default help for a value Kubernetes rejects.
const REJECTED: &str = "the API server rejects the object, so the change never applies";

/// The consequence of invalid metadata at `field`: a claim template's metadata
/// is validated when the StatefulSet controller creates each claim.
fn rejected(field: &str) -> &'static str {
    if field.contains("volumeClaimTemplates") {
        "the API server rejects the claims created from this template, so the pods that need them never start"
    } else {
        REJECTED
    }
}

impl<'a> Checker<'a> {
    /// The node at `field`, unless it (or a parent) already has a type error.
    fn at(&self, field: &str) -> Option<&'a Node> {
        let under = |f: &str| {
            f.is_empty()
                || field == f
                || field
                    .strip_prefix(f)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        };
        if self.obj.type_errors.iter().any(|e| under(&e.field)) {
            return None;
        }
        self.obj.at(field)
    }

    /// A string value worth judging: present, not a type error, not a template placeholder.
    fn str_at(&self, field: &str) -> Option<&'a str> {
        self.at(field)
            .and_then(Node::as_str)
            .filter(|s| !v::looks_templated(s))
    }

    fn int_at(&self, field: &str) -> Option<i64> {
        match &*self.at(field)?.decoded() {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    fn report(&mut self, field: &str, msg: String, label: &str, help: String) {
        self.out
            .report(field, msg)
            .on_value()
            .label(label)
            .help(help);
    }

    // ---------------------------------------------------------------- names

    /// `metadata.name` as the kind's validation requires it; `metadata.namespace`.
    fn object_name(&mut self) {
        let obj = self.obj;
        let kind = obj.kind.as_str();
        let (check, what): (fn(&str) -> Option<String>, &str) = match (&obj.typed, kind) {
            (Typed::Service(_), _) => (v::dns1035_label_error, "a DNS-1035 label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (it becomes a DNS name)"),
            (Typed::Generic, "Namespace") if obj.group().is_empty() => (v::dns1123_label_error, "a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"),
            (Typed::Generic, _) => return,
            _ => (v::dns1123_subdomain_error, "a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"),
        };
        let name_field = "metadata.name";
        if let Some(name) = self.str_at(name_field).filter(|s| !s.is_empty()) {
            if let Some(e) = check(name) {
                let hint = suggest_name(name, check)
                    .map(|s| format!(" (e.g. `{s}`)"))
                    .unwrap_or_default();
                self.report(
                    name_field,
                    format!("`metadata.name` `{name}` is not a valid {kind} name: it {e}"),
                    "invalid name",
                    format!("{kind} names must be {what}{hint}; {REJECTED}"),
                );
            } else if matches!(obj.typed, Typed::CronJob(_)) && name.len() > 52 {
                self.report(
                    name_field,
                    format!("`metadata.name` of CronJob `{name}` is {} characters; Kubernetes refuses to create a CronJob with a name longer than 52", name.len()),
                    "name too long",
                    "shorten the name to 52 characters at most: the CronJob controller appends an 11-character suffix to name each Job, and Job names must fit in 63".into(),
                );
            }
        } else if obj.at(name_field).is_none_or(|n| n.as_str() == Some(""))
            && obj.at("metadata.generateName").is_none()
            && self
                .at("metadata")
                .is_some_and(|m| matches!(m.value, Value::Map(_)))
        {
            self.out
                .report(name_field, match obj.at(name_field) {
                    Some(_) => format!("this {kind} has an empty `metadata.name`: Kubernetes rejects it"),
                    None => format!("this {kind} has no `metadata.name`: Kubernetes rejects it"),
                })
                .label("no name")
                .help("add `metadata.name` (`kubectl apply` needs a name to find the object on the next apply)");
        }
        if matches!(obj.typed, Typed::Generic | Typed::StorageClass(_)) {
            return;
        }
        if let Some(ns) = self.str_at("metadata.namespace").filter(|s| !s.is_empty()) {
            if let Some(e) = v::dns1123_label_error(ns) {
                self.report(
                    "metadata.namespace",
                    format!("`metadata.namespace` `{ns}` is not a valid namespace name: it {e}"),
                    "invalid namespace",
                    format!("namespace names are DNS-1123 labels: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit; {REJECTED}"),
                );
            }
        }
    }

    // --------------------------------------------------------------- labels

    /// `labels` and `annotations` of an ObjectMeta at `path`.
    fn metadata(&mut self, path: &str) {
        self.label_map(&format!("{path}.labels"), "label");
        let field = format!("{path}.annotations");
        let Some(map) = self.at(&field) else { return };
        for e in map.entries() {
            // Kubernetes checks annotation keys lowercased.
            if let Some(err) = v::qualified_name_error(&e.key.to_ascii_lowercase()) {
                if v::looks_templated(&e.key) {
                    continue;
                }
                let key = &e.key;
                self.out
                    .report(join_key(&field, key), format!("annotation key `{key}` is invalid: it {err}"))
                    .label("invalid annotation key")
                    .help(format!("annotation keys are an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.' starting and ending with a letter or digit (e.g. `example.com/backup-schedule`); {}", rejected(&field)));
            }
        }
    }

    /// A map of labels (`metadata.labels`, `matchLabels`, `nodeSelector`, a Service selector).
    fn label_map(&mut self, field: &str, what: &str) {
        let Some(map) = self.at(field) else { return };
        let clean = self.obj.type_errors.is_empty();
        for e in map.entries() {
            let key = &e.key;
            if v::looks_templated(key) {
                continue;
            }
            if let Some(err) = v::qualified_name_error(key) {
                let entry = join_key(field, key);
                self.out
                    .report(&entry, format!("{what} key `{key}` is invalid: it {err}"))
                    .label("invalid label key")
                    .help(format!("label keys are an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.' starting and ending with a letter or digit (e.g. `app.kubernetes.io/name`); {}", rejected(&entry)));
                continue;
            }
            // The value Kubernetes keeps (the last of duplicate keys); with
            // type errors in the object, only where none is above it.
            let value = if clean {
                map.get(key)
                    .and_then(Node::as_str)
                    .filter(|s| !v::looks_templated(s))
            } else {
                self.str_at(&join_key(field, key))
            };
            let Some(value) = value else {
                continue;
            };
            if let Some(err) = v::label_value_error(value) {
                let entry = join_key(field, key);
                self.report(
                    &entry,
                    format!("{what} `{key}` has the value `{value}`, which is not a valid label value: it {err}"),
                    "invalid label value",
                    format!("label values are empty or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit; {}", rejected(&entry)),
                );
            }
        }
    }

    /// Every place below `node` (at `path`) that holds labels or quantities.
    /// `path` is one buffer for the whole walk: each level appends its key
    /// and takes it off again, so no path is allocated per node.
    fn walk(&mut self, node: &'a Node, path: &mut String) {
        let parent_len = path.len();
        let top = parent_len == 0;
        let under_spec = path.as_str() == "spec";
        for e in node.entries() {
            path.truncate(parent_len);
            push_key(path, &e.key);
            let field = path.as_str();
            match e.key.as_str() {
                // user data, never Kubernetes syntax
                "data" | "stringData" | "binaryData" if top => continue,
                "metadata" if !top => self.metadata(field),
                "matchLabels" => self.label_map(field, "selector label"),
                "nodeSelector" => self.label_map(field, "node selector label"),
                "selector" if under_spec && matches!(self.obj.typed, Typed::Service(_)) => {
                    self.label_map(field, "selector label")
                }
                "matchExpressions" => {
                    for (i, _) in e.value.items().iter().enumerate() {
                        let key_field = format!("{field}[{i}].key");
                        let Some(key) = self.str_at(&key_field) else {
                            continue;
                        };
                        if let Some(err) = v::qualified_name_error(key) {
                            self.report(
                                &key_field,
                                format!("selector key `{key}` is not a valid label key: it {err}"),
                                "invalid label key",
                                format!("selector keys are label keys: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.'; {REJECTED}"),
                            );
                        }
                    }
                }
                "resources" => {
                    for part in ["requests", "limits"] {
                        self.quantity_map(&format!("{field}.{part}"));
                    }
                }
                "overhead" => self.quantity_map(field),
                "sizeLimit" => self.quantity(field, "sizeLimit"),
                _ => {}
            }
            match &e.value.value {
                Value::Map(_) => self.walk(&e.value, path),
                Value::Seq(items) => {
                    let len = path.len();
                    for (i, item) in items.iter().enumerate() {
                        path.truncate(len);
                        path.push('[');
                        path.push_str(itoa(i, &mut [0u8; 20]));
                        path.push(']');
                        self.walk(item, path);
                    }
                }
                _ => {}
            }
        }
        path.truncate(parent_len);
    }

    // ----------------------------------------------------------- quantities

    fn quantity_map(&mut self, field: &str) {
        let Some(map) = self.at(field) else { return };
        for e in map.entries() {
            self.quantity(&join_key(field, &e.key), &e.key);
        }
    }

    fn quantity(&mut self, field: &str, key: &str) {
        let Some(node) = self.at(field) else { return };
        let (text, negative) = match &*node.decoded() {
            Value::Str(s) if v::looks_templated(s) => return,
            Value::Str(s) => match v::parse_quantity(s) {
                Ok(q) => (s.clone(), q.negative),
                Err(e) => {
                    let fixes = v::suggest_quantity(s);
                    let help = match fixes.as_slice() {
                        [] => "write a number with an optional suffix: `500m`, `2`, `1.5Gi`, `512Mi`, `10G`, `1e3` (binary suffixes Ki, Mi, Gi, Ti; decimal k, M, G, T)".to_string(),
                        [one] => format!("write `{one}`"),
                        [dec, bin, ..] => format!("write `{bin}` (binary, 1024-based, what memory and disks usually mean) or `{dec}` (decimal, 1000-based)"),
                    };
                    let meant = match fixes.as_slice() {
                        [] => String::new(),
                        [one] => format!(" (did you mean `{one}`?)"),
                        [dec, bin, ..] => format!(" (did you mean `{bin}` or `{dec}`?)"),
                    };
                    self.report(
                        field,
                        format!("`{key}` quantity `{s}` is not valid Kubernetes quantity syntax: it {e}{meant}"),
                        "invalid quantity",
                        format!("{help}; {REJECTED}"),
                    );
                    return;
                }
            },
            Value::Int(i) => (i.to_string(), *i < 0),
            Value::Float(f) => (f.to_string(), *f < 0.0),
            _ => return,
        };
        if negative {
            self.report(
                field,
                format!("`{key}` quantity `{text}` is negative: Kubernetes requires resource quantities to be at least 0"),
                "negative quantity",
                format!("remove the sign; {REJECTED}"),
            );
        }
    }

    // ------------------------------------------------------------ pod specs

    fn pod_spec(&mut self) {
        let Some(spec_path) = self.obj.pod().map(|p| p.spec_path) else {
            return;
        };
        self.restart_policy(spec_path);
        for list in ["containers", "initContainers"] {
            let field = format!("{spec_path}.{list}");
            let n = self.at(&field).map_or(0, |l| l.items().len());
            for i in 0..n {
                self.container(&format!("{field}[{i}]"));
            }
        }
    }

    fn restart_policy(&mut self, spec_path: &str) {
        let field = format!("{spec_path}.restartPolicy");
        let kind = self.obj.kind.clone();
        let policy = self.at(&field).and_then(Node::as_str);
        let obj = self.obj;
        match &obj.typed {
            Typed::Deployment(_)
            | Typed::StatefulSet(_)
            | Typed::DaemonSet(_)
            | Typed::ReplicaSet(_) => {
                if let Some(p @ ("OnFailure" | "Never")) = policy {
                    self.report(
                        &field,
                        format!("`restartPolicy: {p}` in a {kind} pod template: Kubernetes only accepts `Always` for {kind}s"),
                        "only Always is allowed",
                        format!("remove `restartPolicy` (it defaults to `Always`): the {kind} controller keeps its pods running; for work that runs to completion, use a Job"),
                    );
                }
            }
            Typed::Job(_) | Typed::CronJob(_) => {
                let job = if matches!(obj.typed, Typed::CronJob(_)) {
                    "spec.jobTemplate.spec"
                } else {
                    "spec"
                };
                match policy {
                    Some("Always") => self.report(
                        &field,
                        format!("`restartPolicy: Always` in a {kind} pod template: Kubernetes accepts only `OnFailure` or `Never` for Jobs"),
                        "Always is rejected for Jobs",
                        "set `restartPolicy: OnFailure` (retry in the same pod) or `Never` (a new pod for each retry)".into(),
                    ),
                    None if self.at(spec_path).is_some() && !self.obj.has(&field) => {
                        self.out
                            .report(&field, format!("the {kind} pod template has no `restartPolicy`: it defaults to `Always`, which Kubernetes rejects for Jobs"))
                            .label("restartPolicy required")
                            .help(format!("add `restartPolicy: OnFailure` (retry in the same pod) or `restartPolicy: Never` (a new pod for each retry) to `{spec_path}`"));
                    }
                    Some("OnFailure") if self.obj.has(&format!("{job}.podFailurePolicy")) => self.report(
                        &field,
                        "`restartPolicy: OnFailure` with a `podFailurePolicy`: Kubernetes requires `Never` when a pod failure policy is set".into(),
                        "must be Never",
                        "set `restartPolicy: Never`, or remove `podFailurePolicy`".into(),
                    ),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn container(&mut self, path: &str) {
        let cname = self
            .str_at(&format!("{path}.name"))
            .unwrap_or("?")
            .to_string();
        let n = self
            .at(&format!("{path}.ports"))
            .map_or(0, |l| l.items().len());
        let mut names: Vec<&str> = Vec::new();
        for i in 0..n {
            let port = format!("{path}.ports[{i}]");
            self.required(&port, "containerPort", "container port");
            self.port_number(
                &format!("{port}.containerPort"),
                false,
                "the port the process listens on",
            );
            self.port_number(
                &format!("{port}.hostPort"),
                true,
                "the port to open on the node (or remove `hostPort`)",
            );
            let name_field = format!("{port}.name");
            let Some(name) = self.str_at(&name_field).filter(|s| !s.is_empty()) else {
                continue;
            };
            if let Some(e) = v::iana_svc_name_error(name) {
                let hint = suggest_name(name, v::iana_svc_name_error)
                    .map(|s| format!(" (e.g. `{s}`)"))
                    .unwrap_or_default();
                self.report(
                    &name_field,
                    format!("port name `{name}` of container `{cname}` is not a valid IANA service name: it {e}"),
                    "invalid port name",
                    format!("container port names are at most 15 lowercase letters, digits and '-', with at least one letter and no '--'{hint}; rename the Service `targetPort` and probes that use it too; {REJECTED}"),
                );
            } else if names.contains(&name) {
                self.report(
                    &name_field,
                    format!("port name `{name}` is used twice in container `{cname}`: Kubernetes requires unique port names"),
                    "duplicate port name",
                    format!("give each port of the container its own name; {REJECTED}"),
                );
            } else {
                names.push(name);
            }
        }
        for probe in [
            "livenessProbe",
            "readinessProbe",
            "startupProbe",
            "lifecycle.postStart",
            "lifecycle.preStop",
        ] {
            for action in ["httpGet", "tcpSocket"] {
                self.port_or_name(&format!("{path}.{probe}.{action}.port"));
            }
            self.port_number(
                &format!("{path}.{probe}.grpc.port"),
                false,
                "the gRPC health port",
            );
        }
    }

    /// A port list item (a mapping, not a type error) without its required `key`.
    fn required(&mut self, item: &str, key: &str, what: &str) {
        let Some(node) = self.at(item) else { return };
        if node.entries().is_empty() || node.get(key).is_some() {
            return;
        }
        self.out
            .report(
                format!("{item}.{key}"),
                format!("this {what} has no `{key}`: Kubernetes requires it"),
            )
            .label(format!("no `{key}`"))
            .help(format!("add `{key}` (1–65535); {REJECTED}"));
    }

    /// An integer port: 1–65535 (or 0 when `zero_unsets`).
    fn port_number(&mut self, field: &str, zero_unsets: bool, what: &str) {
        let Some(p) = self.int_at(field) else { return };
        if (1..=65535).contains(&p) || (zero_unsets && p == 0) {
            return;
        }
        let last = field.rsplit('.').next().unwrap_or(field);
        self.report(
            field,
            format!("`{last}: {p}` is not a port number: Kubernetes accepts 1–65535"),
            "not a port number",
            format!("use {what}: a number from 1 to 65535; {REJECTED}"),
        );
    }

    /// An IntOrString port: a number 1–65535 or a container port name.
    fn port_or_name(&mut self, field: &str) {
        let Some(node) = self.at(field) else { return };
        if node.as_str().is_none() {
            return self.port_number(field, false, "the container's port number");
        }
        let Some(name) = self.str_at(field) else {
            return;
        };
        let last = field.rsplit('.').next().unwrap_or(field);
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            self.report(
                field,
                format!("`{last}` is the string \"{name}\": Kubernetes reads a quoted number as a port name, and port names need a letter"),
                "quoted port number",
                format!("write the number without quotes: `{last}: {name}`; {REJECTED}"),
            );
        } else if let Some(e) = v::iana_svc_name_error(name) {
            self.report(
                field,
                format!("`{last}` names the port `{name}`, which is not a valid port name: it {e}"),
                "invalid port name",
                format!("use a port number (1–65535) or the name of a container port (at most 15 lowercase letters, digits and '-', with a letter); {REJECTED}"),
            );
        }
    }

    // ------------------------------------------------------------- services

    fn service(&mut self) {
        if !matches!(self.obj.typed, Typed::Service(_)) {
            return;
        }
        let cluster_ip = match self.obj.at("spec.type") {
            None => true,
            Some(t) => t.as_str() == Some("ClusterIP"),
        };
        let n = self.at("spec.ports").map_or(0, |l| l.items().len());
        let mut names: Vec<&str> = Vec::new();
        for i in 0..n {
            let port = format!("spec.ports[{i}]");
            let name_field = format!("{port}.name");
            let wrong_type = self.obj.has(&name_field) && self.at(&name_field).is_none();
            match self.at(&name_field).and_then(Node::as_str) {
                None | Some("")
                    if n > 1
                        && !wrong_type
                        && self.at(&port).is_some_and(|p| !p.entries().is_empty()) =>
                {
                    self.out
                        .report(&name_field, format!("Service port {i} has no `name`: Kubernetes requires a name on every port of a Service with more than one port"))
                        .label("port name required")
                        .help(format!("name each port (a DNS-1123 label such as `postgres` or `metrics`); {REJECTED}"));
                }
                Some(name) if !name.is_empty() && !v::looks_templated(name) => {
                    if let Some(e) = v::dns1123_label_error(name) {
                        let hint = suggest_name(name, v::dns1123_label_error)
                            .map(|s| format!(" (e.g. `{s}`)"))
                            .unwrap_or_default();
                        self.report(
                            &name_field,
                            format!("Service port name `{name}` is not a valid DNS-1123 label: it {e}"),
                            "invalid port name",
                            format!("Service port names are at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit{hint}; {REJECTED}"),
                        );
                    } else if names.contains(&name) {
                        self.report(
                            &name_field,
                            format!("Service port name `{name}` is used twice: Kubernetes requires unique port names"),
                            "duplicate port name",
                            format!("give each port its own name; {REJECTED}"),
                        );
                    } else {
                        names.push(name);
                    }
                }
                _ => {}
            }
            self.required(&port, "port", "Service port");
            self.port_number(
                &format!("{port}.port"),
                false,
                "the port clients connect to",
            );
            let target = format!("{port}.targetPort");
            // 0 and "" default to `port`.
            if self.int_at(&target) != Some(0) && self.str_at(&target) != Some("") {
                self.port_or_name(&target);
            }
            let node_port = format!("{port}.nodePort");
            match self.int_at(&node_port) {
                Some(0) | None => {}
                Some(_) if cluster_ip => self.report(
                    &node_port,
                    "`nodePort` is set on a ClusterIP Service: Kubernetes rejects it (`may not be used when type is 'ClusterIP'`)".into(),
                    "nodePort on ClusterIP",
                    "remove `nodePort`, or set `spec.type: NodePort` (or `LoadBalancer`) if the port must be reachable on every node".into(),
                ),
                Some(_) => self.port_number(&node_port, true, "a port in the cluster's node port range (30000–32767 by default; remove `nodePort` to have one allocated)"),
            }
        }
    }

    // ------------------------------------------------------------- cronjobs

    fn cron_schedule(&mut self) {
        if !matches!(self.obj.typed, Typed::CronJob(_)) {
            return;
        }
        let Some(schedule) = self.str_at("spec.schedule") else {
            return;
        };
        if let Err(e) = v::check_cron(schedule) {
            let help = if schedule.contains("TZ") {
                "remove the `CRON_TZ=`/`TZ=` prefix and set `spec.timeZone` (e.g. `timeZone: Europe/Paris`) instead".to_string()
            } else {
                "write five fields `minute hour day-of-month month day-of-week` (e.g. `0 3 * * *` for 03:00 every day, `*/15 * * * *` every 15 minutes) or a macro such as `@daily`".to_string()
            };
            self.report(
                "spec.schedule",
                format!("`spec.schedule` `{schedule}` is not a schedule Kubernetes accepts: {e}"),
                "invalid schedule",
                format!("{help}; {REJECTED}"),
            );
        }
    }
}

/// A valid spelling of an invalid name, when an obvious one exists:
/// `Postgres_Main` → `postgres-main`.
fn suggest_name(name: &str, check: fn(&str) -> Option<String>) -> Option<String> {
    let mut s: String = name
        .chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            '_' | ' ' => '-',
            c => c,
        })
        .collect();
    while s.contains("--") && check("a--b").is_some() {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-').to_string();
    (s != name && check(&s).is_none()).then_some(s)
}

/// `i` in decimal, written into `buf`: sequence indices without a `format!`.
fn itoa(mut i: usize, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (i % 10) as u8;
        i /= 10;
        if i == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or("0")
}
