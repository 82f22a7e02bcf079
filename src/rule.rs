//! The shape of a rule, and the sink it reports into.
//!
//! A rule is one small type with one method. It reads typed objects and the
//! index and reports `(field path, message, help, related spans)`; the engine
//! turns field paths into spans. Metadata and docs live in `rules/<id>.md`.

use crate::diagnostic::Severity;
use crate::index::Index;
use crate::manifest::Object;

pub trait Rule: Sync {
    /// Look at one object (with the whole index at hand) and report findings.
    fn check<'a>(&self, obj: &'a Object, cx: &Context<'a>, out: &mut Sink<'a>);
}

/// What a rule can see besides the object it is checking.
pub struct Context<'a> {
    pub index: &'a Index<'a>,
}

/// A rule's findings for one object, before spans are resolved.
#[derive(Default)]
pub struct Sink<'a> {
    pub(crate) pending: Vec<Pending<'a>>,
}

impl<'a> Sink<'a> {
    /// Report a finding at `field` (a path such as `spec.serviceName`). When the
    /// field is missing, the finding points at its nearest existing parent.
    pub fn report(
        &mut self,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Pending<'a> {
        self.pending.push(Pending {
            field: field.into(),
            on_value: false,
            message: message.into(),
            label: None,
            help: None,
            related: Vec::new(),
            secrets: Vec::new(),
        });
        let last = self.pending.len() - 1;
        &mut self.pending[last]
    }
}

pub struct PendingRelated<'a> {
    pub object: &'a Object,
    pub field: String,
    pub on_value: bool,
    pub message: String,
}

/// A finding being built; see [`Sink::report`].
pub struct Pending<'a> {
    pub(crate) field: String,
    pub(crate) on_value: bool,
    pub(crate) message: String,
    pub(crate) label: Option<String>,
    pub(crate) help: Option<String>,
    pub(crate) related: Vec<PendingRelated<'a>>,
    pub(crate) secrets: Vec<String>,
}

impl<'a> Pending<'a> {
    /// Point at the field's value rather than its key.
    pub fn on_value(&mut self) -> &mut Self {
        self.on_value = true;
        self
    }

    /// The short text shown under the primary span.
    pub fn label(&mut self, label: impl Into<String>) -> &mut Self {
        self.label = Some(label.into());
        self
    }

    /// How to fix it.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    /// A related location in another (or the same) object, pointing at the
    /// key of `field` (or the object itself when `field` is empty).
    pub fn related(
        &mut self,
        object: &'a Object,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Self {
        self.related.push(PendingRelated {
            object,
            field: field.into(),
            on_value: false,
            message: message.into(),
        });
        self
    }

    /// Like [`Pending::related`], pointing at the field's value.
    pub fn related_value(
        &mut self,
        object: &'a Object,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Self {
        self.related.push(PendingRelated {
            object,
            field: field.into(),
            on_value: true,
            message: message.into(),
        });
        self
    }

    /// Mark the value at `field` (of the reported object) as a secret: no output
    /// format will show its text.
    pub fn secret(&mut self, field: impl Into<String>) -> &mut Self {
        self.secrets.push(field.into());
        self
    }
}

/// A rule's metadata, read from the front matter of `rules/<id>.md`.
#[derive(Clone, Debug)]
pub struct Meta {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: String,
    /// The Markdown body (What it does / Why it matters / Example / Use instead).
    pub body: &'static str,
}

/// Parse `rules/<id>.md`: a `---` fenced front matter of `key: value` lines,
/// then the Markdown body.
pub fn parse_doc(id: &'static str, doc: &'static str) -> Result<Meta, String> {
    let rest = doc
        .strip_prefix("---\n")
        .ok_or_else(|| format!("rules/{id}.md: no front matter"))?;
    let end = rest
        .find("\n---\n")
        .ok_or_else(|| format!("rules/{id}.md: front matter is not closed"))?;
    let (front, body) = (&rest[..end], &rest[end + 5..]);
    let mut fields = std::collections::HashMap::new();
    for line in front.lines() {
        if let Some((k, v)) = line.split_once(':') {
            fields.insert(k.trim(), v.trim().trim_matches('"'));
        }
    }
    if fields.get("id") != Some(&id) {
        return Err(format!("rules/{id}.md: front matter id is not `{id}`"));
    }
    let severity = fields
        .get("severity")
        .and_then(|s| Severity::parse(s))
        .ok_or_else(|| format!("rules/{id}.md: severity must be error, warning or note"))?;
    let summary = fields
        .get("summary")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("rules/{id}.md: no summary"))?
        .to_string();
    Ok(Meta {
        id,
        severity,
        summary,
        body: body.trim_start_matches('\n'),
    })
}
