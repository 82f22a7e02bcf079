//! From YAML documents to Kubernetes objects.
//!
//! Each document (and each item of a `kind: List`) that has `apiVersion` and
//! `kind` becomes an [`Object`]: its spanned tree plus, for the kinds the rules
//! reason about, the typed k8s-openapi value. k8s-openapi drops unknown fields
//! silently and fills missing required fields with defaults, so presence checks
//! read the tree; everything else reads the typed value.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Pod, PodSpec, Secret, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde::de::DeserializeOwned;

use crate::diagnostic::{Origin, Problem, ProblemKind, Skipped, Via};
use crate::path;
use crate::schema::{self, SchemaIssue};
use crate::source::{ByteSpan, FileId, SourceFile};
use crate::yaml::{self, Node, Style, Value};

/// The typed value of an object, for the kinds rules reason about.
#[derive(Debug)]
pub enum Typed {
    StatefulSet(Box<StatefulSet>),
    Deployment(Box<Deployment>),
    DaemonSet(Box<DaemonSet>),
    ReplicaSet(Box<ReplicaSet>),
    Pod(Box<Pod>),
    Job(Box<Job>),
    CronJob(Box<CronJob>),
    Service(Box<Service>),
    PodDisruptionBudget(Box<PodDisruptionBudget>),
    StorageClass(Box<StorageClass>),
    ConfigMap(Box<ConfigMap>),
    Secret(Box<Secret>),
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
    /// Every served version (v1, v2, and the removed v2beta1/v2beta2) has the
    /// fields rules read (`scaleTargetRef`, `minReplicas`) in the v2 shape.
    HorizontalPodAutoscaler(Box<HorizontalPodAutoscaler>),
    /// Any other kind (CRDs included): rules read the tree.
    Generic,
}

/// One Kubernetes object from the input.
#[derive(Debug)]
pub struct Object {
    pub file: FileId,
    pub api_version: String,
    pub kind: String,
    /// `metadata.name` ("" when absent).
    pub name: String,
    /// `metadata.namespace`, else `--namespace`, else none. Two objects without
    /// a namespace are in the same (unknown) namespace.
    pub namespace: Option<String>,
    pub node: Node,
    pub typed: Typed,
    /// Fields whose value has the wrong type for the schema (removed before
    /// typing, so `typed` lacks them).
    pub type_errors: Vec<TypeError>,
    /// Unknown keys and out-of-enumeration values ([`crate::schema`]).
    pub schema_issues: Vec<SchemaIssue>,
    /// The credentials found in the object ([`crate::secrets::scan`]), once,
    /// at load: the rule that reports them and every output's masking read
    /// this one result.
    pub credentials: Vec<crate::secrets::Hit>,
    /// The template or base file the object was rendered from (`helm
    /// template`'s `# Source:` comment, kustomize's origin annotation).
    pub origin: Option<Origin>,
    /// The text of its file, which its nodes' spans index (fixes edit it).
    pub source: std::sync::Arc<str>,
}

/// A value of the wrong type, as the Kubernetes decoder would reject it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeError {
    /// e.g. `spec.replicas`
    pub field: String,
    /// Names the field and the expected type, never the value.
    pub message: String,
    /// The value is an unquoted YAML 1.1 literal (`yes`, `0755`) that YAML 1.2
    /// tools read as a string but Kubernetes does not.
    pub yaml11: bool,
}

/// A pod template as the rules see it, with the field path of its pod spec.
pub struct PodView<'a> {
    pub spec: &'a PodSpec,
    /// Path of the PodSpec inside the object, e.g. `spec.template.spec`.
    pub spec_path: &'static str,
    /// Path of the pod labels, e.g. `spec.template.metadata.labels`.
    pub labels_path: &'static str,
    pub labels: Option<&'a BTreeMap<String, String>>,
}

/// A container of a pod template, with its field path.
pub struct ContainerRef<'a> {
    pub container: &'a k8s_openapi::api::core::v1::Container,
    /// e.g. `spec.template.spec.containers[1]`
    pub path: String,
    pub init: bool,
}

impl<'a> PodView<'a> {
    /// Containers, then init containers, each with its path.
    pub fn containers(&self, with_init: bool) -> Vec<ContainerRef<'a>> {
        let mut out: Vec<ContainerRef<'a>> = self
            .spec
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| ContainerRef {
                container: c,
                path: format!("{}.containers[{i}]", self.spec_path),
                init: false,
            })
            .collect();
        if with_init {
            out.extend(
                self.spec
                    .init_containers
                    .iter()
                    .flatten()
                    .enumerate()
                    .map(|(i, c)| ContainerRef {
                        container: c,
                        path: format!("{}.initContainers[{i}]", self.spec_path),
                        init: true,
                    }),
            );
        }
        out
    }

    pub fn labels_or_empty(&self) -> &'a BTreeMap<String, String> {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.labels.unwrap_or(&EMPTY)
    }
}

impl Object {
    /// `kind/namespace/name`, for messages.
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{}/{}", self.kind, ns, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }

    /// Whether both are the same resource type: the same kind in the same API
    /// group, counting every version of a built-in kind as one
    /// (`extensions/v1beta1` and `apps/v1` Deployments are one resource).
    pub fn same_resource_type(&self, other: &Object) -> bool {
        self.kind == other.kind
            && (self.group() == other.group() || self.is_builtin_type() && other.is_builtin_type())
    }

    /// A kind stslint types, under a Kubernetes API group (not a custom
    /// resource that reuses a built-in kind name).
    pub fn is_builtin_type(&self) -> bool {
        is_builtin_type(&self.kind, &self.api_version)
    }

    /// The API group ("" for the core group), without the version.
    pub fn group(&self) -> &str {
        api_group(&self.api_version)
    }

    pub fn labels(&self) -> Option<BTreeMap<String, String>> {
        let labels = self.node.get("metadata")?.get("labels")?;
        Some(string_map(labels))
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.node
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    /// Whether `path` exists in the source (not just in the typed value).
    pub fn has(&self, field: &str) -> bool {
        path::resolve(&self.node, field).found
    }

    /// The tree node at `field`, if present.
    pub fn at(&self, field: &str) -> Option<&Node> {
        let r = path::resolve(&self.node, field);
        r.found.then_some(r.node)
    }

    pub fn statefulset(&self) -> Option<&StatefulSet> {
        match &self.typed {
            Typed::StatefulSet(s) => Some(s),
            _ => None,
        }
    }

    /// The pod template of a pod-bearing kind (or the pod itself).
    pub fn pod(&self) -> Option<PodView<'_>> {
        const TPL: (&str, &str) = ("spec.template.spec", "spec.template.metadata.labels");
        let (spec, meta, (spec_path, labels_path)) = match &self.typed {
            Typed::StatefulSet(s) => {
                let t = &s.spec.template;
                (t.spec.as_ref()?, t.metadata.as_ref(), TPL)
            }
            Typed::Deployment(d) => {
                let t = &d.spec.template;
                (t.spec.as_ref()?, t.metadata.as_ref(), TPL)
            }
            Typed::DaemonSet(d) => {
                let t = &d.spec.template;
                (t.spec.as_ref()?, t.metadata.as_ref(), TPL)
            }
            Typed::ReplicaSet(r) => {
                let t = r.spec.template.as_ref()?;
                (t.spec.as_ref()?, t.metadata.as_ref(), TPL)
            }
            Typed::Job(j) => {
                let t = &j.spec.as_ref()?.template;
                (t.spec.as_ref()?, t.metadata.as_ref(), TPL)
            }
            Typed::CronJob(c) => {
                let t = &c.spec.job_template.spec.as_ref()?.template;
                (
                    t.spec.as_ref()?,
                    t.metadata.as_ref(),
                    (
                        "spec.jobTemplate.spec.template.spec",
                        "spec.jobTemplate.spec.template.metadata.labels",
                    ),
                )
            }
            Typed::Pod(p) => (
                p.spec.as_ref()?,
                Some(&p.metadata),
                ("spec", "metadata.labels"),
            ),
            _ => return None,
        };
        Some(PodView {
            spec,
            spec_path,
            labels_path,
            labels: meta.and_then(|m| m.labels.as_ref()),
        })
    }

    /// Whether this kind runs pods that are meant to keep running (not Jobs).
    pub fn is_long_running(&self) -> bool {
        matches!(
            self.typed,
            Typed::StatefulSet(_)
                | Typed::Deployment(_)
                | Typed::DaemonSet(_)
                | Typed::ReplicaSet(_)
                | Typed::Pod(_)
        )
    }

    /// `spec.replicas` of a scalable workload, as written (None when unset).
    pub fn replicas(&self) -> Option<i32> {
        match &self.typed {
            Typed::StatefulSet(s) => s.spec.replicas,
            Typed::Deployment(d) => d.spec.replicas,
            Typed::ReplicaSet(r) => r.spec.replicas,
            _ => None,
        }
    }

    /// `spec.selector` of a workload.
    pub fn workload_selector(&self) -> Option<&LabelSelector> {
        match &self.typed {
            Typed::StatefulSet(s) => Some(&s.spec.selector),
            Typed::Deployment(d) => Some(&d.spec.selector),
            Typed::DaemonSet(d) => Some(&d.spec.selector),
            Typed::ReplicaSet(r) => Some(&r.spec.selector),
            _ => None,
        }
    }
}

/// A mapping of string values (labels, selectors) read from the tree;
/// non-string scalars are rendered as YAML would print them.
pub fn string_map(node: &Node) -> BTreeMap<String, String> {
    node.entries()
        .iter()
        .filter_map(|e| {
            let v = match &e.value.value {
                Value::Str(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((e.key.clone(), v))
        })
        .collect()
}

/// Whether `kind` in `api_version` is a Kubernetes built-in type (any of its
/// versions), not a custom resource that reuses the kind's name.
pub fn is_builtin_type(kind: &str, api_version: &str) -> bool {
    let g = api_group(api_version);
    canonical_api_version(kind).is_some() && (!g.contains('.') || g.ends_with(".k8s.io"))
}

/// The API group of an `apiVersion` ("" for the core group).
pub fn api_group(api_version: &str) -> &str {
    match api_version.rsplit_once('/') {
        Some((g, _)) => g,
        None => "",
    }
}

/// Everything one file contributed.
#[derive(Debug, Default)]
pub struct FileResult {
    pub objects: Vec<Object>,
    pub problems: Vec<Problem>,
    pub skipped: Vec<Skipped>,
    /// Credential values in the file ([`crate::secrets`]): never shown.
    pub secret_spans: Vec<ByteSpan>,
    /// The texts of those values, kept out of every message of the run.
    pub secret_texts: Vec<Box<str>>,
}

/// Options that shape how documents become objects.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// The namespace of objects that do not name one (`--namespace`).
    pub default_namespace: Option<String>,
    /// The directory rendered origins are relative to (`--origin-root`):
    /// joined to every origin path, which is then normalised.
    pub origin_root: Option<String>,
}

/// Parse one file into objects, problems and skipped documents.
pub fn load_file(id: FileId, file: &SourceFile, opts: &LoadOptions) -> FileResult {
    let mut objects = Vec::new();
    let mut out = read_file(id, file, opts, &mut objects);
    out.objects = objects;
    out
}

/// Where [`read_file`] hands the objects it reads.
pub trait Objects {
    /// An object, as soon as its document is read.
    fn object(&mut self, obj: Object);
    /// Forget every object handed over so far: the file does not parse after
    /// all (its objects are not linted), or is read again from the start.
    fn discard(&mut self);
}

impl Objects for Vec<Object> {
    fn object(&mut self, obj: Object) {
        self.push(obj);
    }

    fn discard(&mut self) {
        self.clear();
    }
}

/// Parse one file, handing each object to `sink` as soon as its document is
/// read, so that a file is held one document at a time. Returns the file's
/// problems, skipped documents and credentials (its `objects` are empty).
pub fn read_file(
    id: FileId,
    file: &SourceFile,
    opts: &LoadOptions,
    sink: &mut dyn Objects,
) -> FileResult {
    let mut out = FileResult::default();
    if let Some(offset) = helm_template_offset(&file.text) {
        out.problems.push(Problem {
            file: id,
            span: Some(ByteSpan::new(offset, offset + 2)),
            kind: ProblemKind::HelmTemplate,
            message: "unrendered Helm template: this file contains `{{ … }}` template syntax, not Kubernetes YAML".into(),
            help: Some("render the chart first and lint the result: `helm template RELEASE CHART | stslint -`".into()),
        });
        out.secret_spans = crate::secrets::line_credential_spans(&file.text);
        sort_secrets(file, &mut out, &[]);
        return out;
    }
    let mut loader = Loader {
        id,
        opts,
        text: &file.text,
        out,
        values: Vec::new(),
        sink,
    };
    let read = yaml::read_documents_as_kubectl(file, &mut loader);
    let Loader {
        mut out, values, ..
    } = loader;
    let read = match read {
        Ok(read) => read,
        Err(e) => {
            // The documents read before the error are not linted.
            sink.discard();
            let span = e.offset.map(|o| {
                let end = next_char_end(&file.text, o as usize);
                ByteSpan::new(o as usize, end)
            });
            let mut out = FileResult {
                problems: vec![Problem {
                    file: id,
                    span,
                    kind: ProblemKind::Syntax,
                    help: e.message.contains("multiline quoted scalar").then(|| {
                        "YAML requires the continuation lines of a quoted scalar to be indented more than its key (kubectl's parser tolerates this, and so does stslint when the rest of the file is valid): indent them".to_string()
                    }),
                    message: format!("invalid YAML: {}", e.message),
                }],
                secret_spans: crate::secrets::line_credential_spans(&file.text),
                ..FileResult::default()
            };
            sort_secrets(file, &mut out, &[]);
            return out;
        }
    };
    for l in read.lenient {
        let (what, verb) = match l.lines {
            1 => ("a continuation line".to_string(), "is"),
            n => (format!("{n} continuation lines"), "are"),
        };
        out.problems.push(Problem {
            file: id,
            span: Some(l.span),
            kind: ProblemKind::NonStandardYaml,
            message: format!(
                "YAML that is not strictly valid: {what} of a quoted scalar {verb} not indented more than its key; kubectl accepts this and stslint read it the same way, other tools may not"
            ),
            help: Some(
                "indent the continuation lines of the quoted scalar more than its key".into(),
            ),
        });
    }
    for e in &read.dropped {
        out.problems.push(Problem {
            file: id,
            span: e.offset.map(|o| {
                let end = next_char_end(&file.text, o as usize);
                ByteSpan::new(o as usize, end)
            }),
            kind: ProblemKind::Syntax,
            help: Some("fix the value; the other documents of the file were linted".into()),
            message: format!(
                "invalid YAML value: {}; this document is skipped",
                e.message
            ),
        });
    }
    if !read.dropped.is_empty() {
        // A dropped document is not an object: its credentials are found
        // line by line, as in a file that does not parse.
        out.secret_spans
            .extend(crate::secrets::line_credential_spans(&file.text));
    }
    sort_secrets(file, &mut out, &values);
    out
}

/// Documents in, objects out: each object's credentials are found before it
/// goes to the sink.
struct Loader<'a> {
    id: FileId,
    opts: &'a LoadOptions,
    text: &'a std::sync::Arc<str>,
    out: FileResult,
    /// The decoded credential values of the objects read so far
    /// ([`crate::secrets::secret_values`]).
    values: Vec<Box<str>>,
    sink: &'a mut dyn Objects,
}

impl yaml::Documents for Loader<'_> {
    fn document(&mut self, doc: Node) {
        // A `kind: List`'s items become objects one at a time.
        let (text, values, spans, sink) = (
            self.text,
            &mut self.values,
            &mut self.out.secret_spans,
            &mut *self.sink,
        );
        let helm = helm_source(text, doc.span.start as usize).map(|path| Origin {
            path: origin_path(self.opts, path),
            via: Via::Helm,
            remote: None,
        });
        load_document(
            self.id,
            doc,
            self.opts,
            helm.as_ref(),
            &mut self.out.skipped,
            &mut |mut o| {
                o.source = text.clone();
                o.credentials = crate::secrets::scan(&o, text);
                let found = crate::secrets::credential_spans(&o);
                crate::secrets::secret_values(&o, &found, values);
                spans.extend(found);
                sink.object(o);
            },
        );
    }

    fn restart(&mut self) {
        self.out = FileResult::default();
        self.values.clear();
        self.sink.discard();
    }
}

/// Sort the file's credential spans, and keep the texts of those values
/// that the run must keep out of every message.
fn sort_secrets(file: &SourceFile, out: &mut FileResult, values: &[Box<str>]) {
    if out.secret_spans.is_empty() {
        return;
    }
    out.secret_spans.sort();
    out.secret_spans.dedup();
    out.secret_texts = crate::secrets::secret_texts(&file.text, &out.secret_spans, values);
}

fn next_char_end(text: &str, o: usize) -> usize {
    text.get(o..)
        .and_then(|s| s.chars().next())
        .map(|c| o + c.len_utf8())
        .unwrap_or(o)
}

fn load_document(
    id: FileId,
    doc: Node,
    opts: &LoadOptions,
    helm: Option<&Origin>,
    skipped: &mut Vec<Skipped>,
    emit: &mut dyn FnMut(Object),
) {
    let api_version = doc
        .get("apiVersion")
        .and_then(Node::as_str)
        .map(str::to_owned);
    let kind = doc.get("kind").and_then(Node::as_str).map(str::to_owned);
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        let reason = match &doc.value {
            Value::Map(_) => "not a Kubernetes object: no `apiVersion` and `kind`",
            _ => "not a Kubernetes object: the document is not a mapping",
        };
        skipped.push(Skipped {
            file: id,
            span: path::item_anchor(&doc),
            reason: reason.into(),
        });
        return;
    };
    if kind.ends_with("List") && doc.get("items").is_some() {
        let Value::Map(entries) = doc.value else {
            return;
        };
        for e in entries {
            if e.key == "items" {
                if let Value::Seq(items) = e.value.value {
                    for item in items {
                        load_document(id, item, opts, helm, skipped, emit);
                    }
                }
            }
        }
        return;
    }
    let meta = doc.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_owned();
    let namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Node::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .or_else(|| opts.default_namespace.clone());
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    // A workload without a pod template cannot be applied: it is a fragment,
    // typically a kustomize patch. Linting it would only produce noise.
    let workload = matches!(
        kind.as_str(),
        "StatefulSet" | "Deployment" | "DaemonSet" | "ReplicaSet"
    ) && matches!(group, "apps" | "extensions");
    if workload && doc.get("spec").and_then(|s| s.get("template")).is_none() {
        skipped.push(Skipped {
            file: id,
            span: path::object_anchor(&doc),
            reason: format!(
                "incomplete {kind} `{name}`: no `spec.template`, so it cannot be applied as is (a kustomize patch?); lint the output of `kustomize build` instead"
            ),
        });
        return;
    }
    let mut type_errors = Vec::new();
    let typed = type_object(group, &kind, &doc, &mut |field, message| {
        let r = path::resolve(&doc, field);
        let yaml11 = r.found
            && r.node.style == Style::Plain
            && r.node
                .as_str()
                .is_some_and(|s| yaml::yaml11_value(s).is_some());
        type_errors.push(TypeError {
            field: field.to_string(),
            message,
            yaml11,
        });
    });
    let schema_issues = schema::check(group, &kind, &doc);
    let origin = meta
        .and_then(|m| m.get("annotations"))
        .and_then(|a| a.get(KUSTOMIZE_ORIGIN))
        .and_then(Node::as_str)
        .and_then(|a| kustomize_origin(opts, a))
        .or_else(|| helm.cloned());
    emit(Object {
        file: id,
        api_version,
        kind,
        name,
        namespace,
        node: doc,
        typed,
        type_errors,
        schema_issues,
        credentials: Vec::new(),
        origin,
        source: std::sync::Arc::default(),
    });
}

/// The annotation kustomize adds with `buildMetadata: [originAnnotations]`.
pub const KUSTOMIZE_ORIGIN: &str = "config.kubernetes.io/origin";

/// How many comment lines before a document's first key are looked at for
/// `helm template`'s `# Source:` line (helm writes it right after `---`).
const SOURCE_LINES: usize = 8;

/// The path of `helm template`'s `# Source: <chart>/templates/<file>`
/// comment among the comment lines right before the document that starts at
/// `start` (back to its `---`, at most [`SOURCE_LINES`] lines): no other
/// part of the text is read.
fn helm_source(text: &str, start: usize) -> Option<&str> {
    let mut end = text.get(..start)?.rfind('\n')?;
    // A document that starts on its `---` line has no comment before it.
    if !text[end..start].trim().is_empty() {
        return None;
    }
    for _ in 0..SOURCE_LINES {
        let begin = text[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = text[begin..end].trim_end_matches('\r').trim();
        if let Some(path) = line.strip_prefix("# Source:") {
            let path = path.trim();
            return (!path.is_empty()).then_some(path);
        }
        if !(line.is_empty() || line.starts_with('#')) || begin == 0 {
            return None;
        }
        end = begin - 1;
    }
    None
}

/// The origin in kustomize's `config.kubernetes.io/origin` annotation: a
/// small YAML mapping (`path:`, and `repo:`/`ref:` for a remote base, or
/// `configuredIn:` for a generated object), read line by line.
fn kustomize_origin(opts: &LoadOptions, annotation: &str) -> Option<Origin> {
    let field = |key: &str| {
        annotation.lines().find_map(|l| {
            let v = l.strip_prefix(key)?.strip_prefix(':')?.trim();
            let v = v.trim_matches(|c| c == '"' || c == '\'');
            (!v.is_empty()).then_some(v)
        })
    };
    let path = field("path").or_else(|| field("configuredIn"))?;
    let remote = field("repo").map(|repo| match field("ref") {
        Some(r) => format!("{repo}?ref={r}").into_boxed_str(),
        None => repo.into(),
    });
    Some(Origin {
        path: match remote {
            Some(_) => path.into(),
            None => origin_path(opts, path),
        },
        via: Via::Kustomize,
        remote,
    })
}

/// An origin path joined to `--origin-root`, `.` and `..` resolved
/// lexically (the file system is not asked).
fn origin_path(opts: &LoadOptions, path: &str) -> Box<str> {
    let Some(root) = opts.origin_root.as_deref() else {
        return path.into();
    };
    if path.starts_with('/') {
        return path.into();
    }
    let mut parts: Vec<&str> = Vec::new();
    let absolute = root.starts_with('/');
    for seg in root.split('/').chain(path.split('/')) {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            s => parts.push(s),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}").into(),
        (false, true) => ".".into(),
        (false, false) => joined.into(),
    }
}

fn type_object(group: &str, kind: &str, doc: &Node, report: &mut dyn FnMut(&str, String)) -> Typed {
    // Older API groups (apps/v1beta1, extensions/v1beta1, policy/v1beta1) have
    // the same shape for every field the rules read.
    let typed = match (group, kind) {
        ("apps", "StatefulSet") => Typed::StatefulSet(typed(doc, report)),
        ("apps" | "extensions", "Deployment") => Typed::Deployment(typed(doc, report)),
        ("apps" | "extensions", "DaemonSet") => Typed::DaemonSet(typed(doc, report)),
        ("apps" | "extensions", "ReplicaSet") => Typed::ReplicaSet(typed(doc, report)),
        ("batch", "Job") => Typed::Job(typed(doc, report)),
        ("batch", "CronJob") => Typed::CronJob(typed(doc, report)),
        ("policy", "PodDisruptionBudget") => Typed::PodDisruptionBudget(typed(doc, report)),
        ("storage.k8s.io", "StorageClass") => Typed::StorageClass(typed(doc, report)),
        ("", "Pod") => Typed::Pod(typed(doc, report)),
        ("", "Service") => Typed::Service(typed(doc, report)),
        ("", "ConfigMap") => Typed::ConfigMap(typed(doc, report)),
        ("", "Secret") => Typed::Secret(typed(doc, report)),
        ("", "PersistentVolumeClaim") => Typed::PersistentVolumeClaim(typed(doc, report)),
        ("autoscaling", "HorizontalPodAutoscaler") => {
            Typed::HorizontalPodAutoscaler(typed(doc, report))
        }
        _ => Typed::Generic,
    };
    if !matches!(typed, Typed::Generic) {
        return typed;
    }
    // A built-in kind under an API group that does not serve it (`apiVersion: v1`
    // on a PodDisruptionBudget): the API server rejects it; lint it as the kind
    // it obviously is, and say so.
    // Custom resources may reuse built-in kind names (Knative's `Service`), but
    // their groups have a dot and are not `*.k8s.io`.
    let builtin_group = !group.contains('.') || group.ends_with(".k8s.io");
    let Some(right) = canonical_api_version(kind).filter(|_| builtin_group) else {
        return Typed::Generic;
    };
    let here = if group.is_empty() {
        "the core group"
    } else {
        group
    };
    report(
        "apiVersion",
        format!("`apiVersion` names {here}, which does not serve kind {kind}: expected `{right}`"),
    );
    let (g, _) = right.rsplit_once('/').unwrap_or(("", right));
    type_object(g, kind, doc, report)
}

/// The apiVersion of the built-in kinds stslint types.
pub fn canonical_api_version(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "StatefulSet" | "Deployment" | "DaemonSet" | "ReplicaSet" => "apps/v1",
        "Job" | "CronJob" => "batch/v1",
        "PodDisruptionBudget" => "policy/v1",
        "StorageClass" => "storage.k8s.io/v1",
        "Pod" | "Service" | "ConfigMap" | "Secret" | "PersistentVolumeClaim" => "v1",
        "HorizontalPodAutoscaler" => "autoscaling/v2",
        _ => return None,
    })
}

/// Deserialise into `T`. A field of the wrong type is reported, removed, and
/// the rest is typed again, so one bad value does not hide the object from the
/// rules. Gives up (with defaults) after a bounded number of bad fields.
fn typed<T: DeserializeOwned + Default + k8s_openapi::Resource>(
    doc: &Node,
    report: &mut dyn FnMut(&str, String),
) -> Box<T> {
    const MAX_BAD_FIELDS: usize = 32;
    // k8s-openapi insists on its own apiVersion; older versions of the same
    // group (apps/v1beta2, policy/v1beta1 …) have the shape the rules read.
    let mut skip: Vec<Vec<path::Seg>> = Vec::new();
    for _ in 0..MAX_BAD_FIELDS {
        match crate::decode::typed::<T>(doc, T::API_VERSION, &skip) {
            Ok(v) => return Box::new(v),
            Err(e) => {
                let (field, segs) = error_path(e.path());
                let found = path::resolve(doc, &field);
                let what = if found.found {
                    found.node.decoded_type_name()
                } else {
                    "a value".to_string()
                };
                report(&field, type_message(&field, &e.inner().to_string(), &what));
                // Type again without the field (a bad sequence item takes its
                // whole sequence with it: leaving out one item would shift the
                // indices of the paths reported after it).
                match removable(doc, &segs) {
                    Some(at) => skip.push(segs[..at].to_vec()),
                    None => break,
                }
            }
        }
    }
    Box::default()
}

fn error_path(p: &serde_path_to_error::Path) -> (String, Vec<path::Seg>) {
    use serde_path_to_error::Segment;
    let mut field = String::new();
    let mut segs = Vec::new();
    for s in p.iter() {
        match s {
            Segment::Map { key } => {
                field = path::join_key(&field, key);
                segs.push(path::Seg::Key(key.clone()));
            }
            Segment::Seq { index } => {
                field.push_str(&format!("[{index}]"));
                segs.push(path::Seg::Index(*index));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    (field, segs)
}

/// serde says `invalid type: string "three", expected i32`: keep the expectation,
/// never echo the value (it could be a credential).
fn type_message(field: &str, serde_msg: &str, found: &str) -> String {
    let expected = serde_msg
        .rsplit_once(", expected ")
        .map(|(_, e)| e)
        .or_else(|| serde_msg.strip_prefix("expected "));
    let field = if field.is_empty() {
        "the object"
    } else {
        field
    };
    match expected {
        Some(exp) => format!("`{field}` has the wrong type: expected {exp}, found {found}"),
        None => {
            let redacted = redact_quoted(serde_msg);
            format!("`{field}` is invalid: {redacted}")
        }
    }
}

fn redact_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut inside = false;
    for c in s.chars() {
        if c == '"' {
            inside = !inside;
            out.push(c);
            if inside {
                out.push('…');
            }
        } else if !inside {
            out.push(c);
        }
    }
    out
}

/// How many of `segs` to leave out when retyping without the failing field:
/// up to its last mapping key, when that key is present in the tree.
fn removable(doc: &Node, segs: &[path::Seg]) -> Option<usize> {
    let last_key = segs.iter().rposition(|s| matches!(s, path::Seg::Key(_)))?;
    let mut cur = doc;
    for s in &segs[..=last_key] {
        cur = match s {
            path::Seg::Key(k) => cur.get(k)?,
            path::Seg::Index(i) => cur.index(*i)?,
        };
    }
    Some(last_key + 1)
}

/// The byte offset of Helm template syntax outside comments, if any. Only
/// Helm's own actions count (`{{ .Values`, `{{- if`, `{{ include` …): a
/// ConfigMap may legitimately hold `{{ }}` for another template engine.
fn helm_template_offset(text: &str) -> Option<usize> {
    const ACTIONS: &[&str] = &[
        ".Values",
        ".Release",
        ".Chart",
        ".Capabilities",
        ".Files",
        "include ",
        "template ",
        "if ",
        "else",
        "end ",
        "end}",
        "range ",
        "with ",
        "define ",
        "toYaml",
        "tpl ",
        "$.",
    ];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            let mut from = 0;
            while let Some(i) = line[from..].find("{{") {
                let at = from + i;
                let rest = line[at + 2..].trim_start_matches('-').trim_start();
                if ACTIONS.iter().any(|a| rest.starts_with(a)) {
                    return Some(offset + at);
                }
                from = at + 2;
            }
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> FileResult {
        load_file(
            FileId(0),
            &SourceFile::new("t.yaml", text),
            &LoadOptions::default(),
        )
    }

    #[test]
    fn list_items_become_objects() {
        let r = load("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n");
        assert_eq!(r.objects.len(), 2);
        assert_eq!(r.objects[1].kind, "ConfigMap");
        assert_eq!(r.objects[1].name, "b");
    }

    #[test]
    fn non_objects_are_skipped_with_a_reason() {
        let r = load("foo: bar\n---\n- 1\n");
        assert_eq!(r.objects.len(), 0);
        assert_eq!(r.skipped.len(), 2);
        assert!(r.problems.is_empty());
    }

    #[test]
    fn type_errors_are_recorded_and_the_object_is_still_typed() {
        let r = load("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  replicas: \"three\"\n  serviceName: db\n  template: {spec: {containers: [{name: a}]}}\n");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let e = &r.objects[0].type_errors[0];
        assert_eq!(
            e.message,
            "`spec.replicas` has the wrong type: expected i32, found a string"
        );
        assert!(!e.message.contains("three"));
        assert!(!e.yaml11);
        let sts = r.objects[0].statefulset().unwrap();
        assert_eq!(sts.spec.service_name.as_deref(), Some("db"));
    }

    #[test]
    fn helm_templates_get_one_clear_error() {
        let r = load("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n");
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].kind, ProblemKind::HelmTemplate);
        // a ConfigMap holding another engine's template is fine
        let r = load("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  t: \"{{ $labels.instance }} is down\"\n");
        assert!(r.problems.is_empty());
    }

    #[test]
    fn helm_source_is_read_from_the_comments_before_a_document() {
        let text = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n# Source: c/templates/b.yaml\n# another\n\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: c}\n";
        let r = load(text);
        let paths: Vec<Option<&str>> = r
            .objects
            .iter()
            .map(|o| o.origin.as_ref().map(|o| &*o.path))
            .collect();
        assert_eq!(
            paths,
            [Some("c/templates/a.yaml"), Some("c/templates/b.yaml"), None]
        );
        assert_eq!(helm_source("# Source: x.yaml\na: 1\n", 17), Some("x.yaml"));
        assert_eq!(helm_source("# Source: x.yaml\n---\nb: 1\n", 21), None);
        assert_eq!(helm_source("a: 1\n", 0), None);
    }

    #[test]
    fn origin_paths_are_joined_to_the_root_and_normalised() {
        let opts = |root: &str| LoadOptions {
            origin_root: Some(root.into()),
            ..LoadOptions::default()
        };
        assert_eq!(
            &*origin_path(&opts("overlays/prod"), "../../base/sts.yaml"),
            "base/sts.yaml"
        );
        assert_eq!(&*origin_path(&opts("./k"), "pdb.yaml"), "k/pdb.yaml");
        assert_eq!(&*origin_path(&opts("."), "../x.yaml"), "../x.yaml");
        assert_eq!(&*origin_path(&opts("/r/a"), "../../../x"), "/x");
        assert_eq!(&*origin_path(&LoadOptions::default(), "../x"), "../x");
        let k = kustomize_origin(
            &opts("o"),
            "path: ../b/s.yaml\nrepo: https://github.com/x/y\nref: v1\n",
        )
        .map(|o| (o.path, o.remote));
        assert_eq!(
            k,
            Some((
                "../b/s.yaml".into(),
                Some("https://github.com/x/y?ref=v1".into())
            ))
        );
    }

    #[test]
    fn default_namespace_applies_only_when_none_is_given() {
        let opts = LoadOptions {
            default_namespace: Some("prod".into()),
            ..LoadOptions::default()
        };
        let f = SourceFile::new("t", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b, namespace: dev}\n");
        let r = load_file(FileId(0), &f, &opts);
        assert_eq!(r.objects[0].namespace.as_deref(), Some("prod"));
        assert_eq!(r.objects[1].namespace.as_deref(), Some("dev"));
    }
}
