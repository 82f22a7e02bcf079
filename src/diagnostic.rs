//! What a run produces: findings (from rules), problems (input that could not be
//! read as Kubernetes objects) and skipped documents. Reporters read only these.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::source::{ByteSpan, FileId, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which object a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// The tool that rendered a document: its origin comment or annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// `helm template`'s `# Source: <chart>/templates/<file>` comment.
    Helm,
    /// kustomize's `config.kubernetes.io/origin` annotation
    /// (`buildMetadata: [originAnnotations]`).
    Kustomize,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Helm => "helm",
            Via::Kustomize => "kustomize",
        }
    }
}

/// Where a rendered document comes from: the template or base file it was
/// rendered from. Positions stay those of the rendered text (the input
/// actually read); the origin names the file to edit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The file, as the tool wrote it (joined to `--origin-root` when given).
    pub path: Box<str>,
    pub via: Via,
    /// A remote kustomize base (`repo:` and `ref:` of the annotation): the
    /// path is in that repository, not in this one.
    pub remote: Option<Box<str>>,
}

/// A secondary location: the Service in another file, the StorageClass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

/// One rule violation, resolved to spans.
#[derive(Clone, Debug, PartialEq, Eq)]
///
/// A large run holds every finding until it is reported, so a finding is kept
/// small: texts that many findings share (the object, the field path) are
/// shared, the others are boxed to their length.
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: Box<str>,
    /// Short text shown at the primary span.
    pub label: Cow<'static, str>,
    /// Most findings show their rule's summary or a fixed text: borrowed, not
    /// copied into each of them.
    pub help: Cow<'static, str>,
    /// Shared by the findings on one object.
    pub object: Arc<ObjectRef>,
    /// The field path the rule reported (before falling back to a parent);
    /// one copy per distinct path.
    pub field: Arc<str>,
    pub span: Span,
    /// The template or base file the object was rendered from, when the
    /// input is `helm template` or `kustomize build` output.
    pub origin: Option<Arc<Origin>>,
    pub related: Box<[Related]>,
    /// Spans whose text must never be shown (credential values).
    pub secrets: Box<[Span]>,
    /// Edits of the finding's file that fix it (see [`crate::fix`]).
    pub fix: Option<Box<crate::fix::Fix>>,
}

/// A finding that is not reported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    pub by: crate::suppress::Suppression,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// The file could not be read.
    Io,
    /// The file is larger than `--max-file-size`.
    TooLarge,
    /// The path is a FIFO, socket or device, not a file: skipped, never
    /// opened (a FIFO would block, a device never ends). A note.
    NotAFile,
    /// The file is not UTF-8.
    Encoding,
    /// The YAML (or JSON) does not parse, or breaches a safety budget.
    Syntax,
    /// Unrendered Helm template syntax.
    HelmTemplate,
    /// A stslint setting in the input that cannot be honoured (an unknown
    /// rule in a `stslint.io/ignore` annotation).
    Config,
    /// A stslint suppression that suppresses nothing: the rule it names
    /// reports nothing there (any more). A note.
    UnusedSuppression,
    /// A Helm chart directory (it holds `Chart.yaml`) found while walking:
    /// not read, its templates are not YAML until rendered. A note.
    HelmChart,
    /// No Kubernetes object was found in the inputs: an error, or a note
    /// with `--allow-empty`.
    NoManifests { allowed: bool },
    /// YAML that is not valid as written but that kubectl reads, and stslint
    /// read the same way (see [`crate::yaml::parse_documents_as_kubectl`]).
    /// A note: the file is linted.
    NonStandardYaml,
}

impl ProblemKind {
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Io => "io-error",
            ProblemKind::TooLarge => "file-too-large",
            ProblemKind::NotAFile => "not-a-file",
            ProblemKind::Encoding => "invalid-encoding",
            ProblemKind::Syntax => "syntax-error",
            ProblemKind::HelmTemplate => "helm-template",
            ProblemKind::Config => "invalid-suppression",
            ProblemKind::NonStandardYaml => "non-standard-yaml",
            ProblemKind::UnusedSuppression => "unused-suppression",
            ProblemKind::HelmChart => "helm-chart",
            ProblemKind::NoManifests { .. } => "no-manifests",
        }
    }

    /// A note when the input was read anyway or is not a file, else an error.
    pub fn severity(self) -> Severity {
        match self {
            ProblemKind::NonStandardYaml
            | ProblemKind::NotAFile
            | ProblemKind::UnusedSuppression
            | ProblemKind::HelmChart
            | ProblemKind::NoManifests { allowed: true } => Severity::Note,
            _ => Severity::Error,
        }
    }
}

/// Input that stslint could not lint as written (an error: the run exits with
/// 2), or could only by reading it as kubectl does (a note: the input is
/// linted, the exit code is the findings'). Always reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: FileId,
    /// Where, when known (an unreadable file has no position).
    pub span: Option<ByteSpan>,
    pub kind: ProblemKind,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }
}

/// A document that is not a Kubernetes object. Counted and listed, never linted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub file: FileId,
    pub span: ByteSpan,
    pub reason: String,
}
