//! The shape of a rule that looks at one object, and the sink it reports into.
//!
//! A rule is one small type with one method. It reads one typed object while
//! its file is read and reports `(field path, message, help, related spans)`;
//! the engine turns field paths into spans. Rules that look across objects
//! work on facts instead ([`crate::facts::FactRule`]). Metadata and docs live
//! in `rules/<id>.md`.

use crate::diagnostic::Severity;
use crate::manifest::Object;
use crate::source::ByteSpan;
use std::borrow::Cow;

pub trait Rule: Sync {
    /// Look at one object and report findings.
    fn check<'a>(&self, obj: &'a Object, out: &mut Sink<'a>);
}

/// A rule's findings for one object, before spans are resolved.
#[derive(Default)]
pub struct Sink<'a> {
    pub(crate) pending: Vec<Pending<'a>>,
}

impl<'a> Sink<'a> {
    /// Report a finding at `field` (a path such as `spec.serviceName`) of the
    /// object being checked. When the field is missing, the finding points at
    /// its nearest existing parent.
    pub fn report(
        &mut self,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Pending<'a> {
        self.push(None, field.into(), message.into())
    }

    /// Report a finding on another object than the one being checked (a rule
    /// that learns about a CronJob while checking the StatefulSet it backs up).
    pub fn report_on(
        &mut self,
        object: &'a Object,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Pending<'a> {
        self.push(Some(object), field.into(), message.into())
    }

    fn push(
        &mut self,
        object: Option<&'a Object>,
        field: String,
        message: String,
    ) -> &mut Pending<'a> {
        self.pending.push(Pending {
            object,
            field,
            on_value: false,
            message,
            label: None,
            help: None,
            related: Vec::new(),
            secrets: Vec::new(),
            severity: None,
            span: None,
            fix: None,
        });
        let last = self.pending.len() - 1;
        &mut self.pending[last]
    }
}

pub struct PendingRelated<'a> {
    pub object: &'a Object,
    pub field: String,
    pub on_value: bool,
    /// An explicit span, when the location is not reachable by a field path
    /// (the first of two duplicate keys).
    pub span: Option<ByteSpan>,
    pub message: String,
}

/// A finding being built; see [`Sink::report`].
pub struct Pending<'a> {
    /// The object reported on, when not the one being checked.
    pub(crate) object: Option<&'a Object>,
    pub(crate) field: String,
    pub(crate) on_value: bool,
    pub(crate) message: String,
    pub(crate) label: Option<Cow<'static, str>>,
    pub(crate) help: Option<Cow<'static, str>>,
    pub(crate) related: Vec<PendingRelated<'a>>,
    pub(crate) secrets: Vec<String>,
    pub(crate) severity: Option<Severity>,
    /// An explicit primary span inside `field`'s node (a line of a config
    /// file held in a string value).
    pub(crate) span: Option<ByteSpan>,
    pub(crate) fix: Option<crate::fix::Fix>,
}

impl<'a> Pending<'a> {
    /// How to fix it: edits of the object's file (see [`crate::fix`]).
    pub fn fix(&mut self, fix: crate::fix::Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }

    /// Point at this span (inside the reported object's file) rather than at
    /// the field: a part of a string value that no field path reaches.
    pub fn at_span(&mut self, span: ByteSpan) -> &mut Self {
        self.span = Some(span);
        self
    }

    /// Point at the field's value rather than its key.
    pub fn on_value(&mut self) -> &mut Self {
        self.on_value = true;
        self
    }

    /// The short text shown under the primary span.
    pub fn label(&mut self, label: impl Into<Cow<'static, str>>) -> &mut Self {
        self.label = Some(label.into());
        self
    }

    /// How to fix it.
    pub fn help(&mut self, help: impl Into<Cow<'static, str>>) -> &mut Self {
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
        self.push_related(object, field.into(), false, message.into())
    }

    /// Like [`Pending::related`], pointing at the field's value.
    pub fn related_value(
        &mut self,
        object: &'a Object,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> &mut Self {
        self.push_related(object, field.into(), true, message.into())
    }

    /// A related location given by its span in `object`'s file (one that no
    /// field path reaches, such as the first of two duplicate keys).
    pub fn related_span(
        &mut self,
        object: &'a Object,
        span: ByteSpan,
        message: impl Into<String>,
    ) -> &mut Self {
        self.push_related(object, String::new(), false, message.into());
        if let Some(last) = self.related.last_mut() {
            last.span = Some(span);
        }
        self
    }

    fn push_related(
        &mut self,
        object: &'a Object,
        field: String,
        on_value: bool,
        message: String,
    ) -> &mut Self {
        self.related.push(PendingRelated {
            object,
            field,
            on_value,
            span: None,
            message,
        });
        self
    }

    /// Report this finding at another severity than the rule's default (a
    /// rule whose doc says some cases are milder).
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = Some(severity);
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
    /// Why the default severity is what it is.
    pub severity_reason: String,
    /// The seed document(s) the rule comes from (provenance for maintainers;
    /// not shown to users).
    pub seed: String,
    /// Public references for users: `[title](url)` links, `; `-separated in
    /// the front matter's `references:` line.
    pub references: Vec<(String, String)>,
    /// The Markdown body (What it does / Why it matters / Example / Use instead).
    pub body: &'static str,
    /// What the rule does in whole sentences, when the first paragraph of
    /// "What it does" is not one on its own (it introduces a list): the
    /// front matter's `description:`.
    pub description: Option<String>,
    /// A CVSS-like score (`8.0`) for rules that find security problems (the
    /// front matter's `security-severity:`); `None` for reliability rules.
    pub security_severity: Option<String>,
    /// The fixes the rule offers (the front matter's `fix:`, `safe`,
    /// `unsafe` or `safe, unsafe`); empty when it has none.
    pub fixes: Vec<crate::fix::Applicability>,
}

impl Meta {
    /// `safe`, `unsafe`, `safe, unsafe` or `-`: what `stslint rules` shows.
    pub fn fixes_text(&self) -> String {
        if self.fixes.is_empty() {
            return "-".into();
        }
        let names: Vec<&str> = self.fixes.iter().map(|a| a.as_str()).collect();
        names.join(", ")
    }

    /// What the rule does, in whole sentences, as plain text: the front
    /// matter's `description:`, else the first paragraph under "What it
    /// does" (the registry tests check that it ends a sentence).
    pub fn full_description(&self) -> String {
        if let Some(d) = &self.description {
            return d.clone();
        }
        let after = self
            .body
            .split("## What it does")
            .nth(1)
            .unwrap_or(self.body);
        after
            .trim_start()
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The references as a Markdown list (`- [title](url)` lines), for
    /// Markdown output such as SARIF rule help.
    pub fn references_markdown(&self) -> String {
        self.references
            .iter()
            .map(|(title, url)| format!("- [{title}]({url})\n"))
            .collect()
    }

    /// The rule's documentation as `stslint explain` prints it: id, summary,
    /// default severity and why, the body, and the public references (plain
    /// text, or Markdown links for the language server's hover). The seed is
    /// provenance for maintainers and is never shown.
    pub fn doc(&self, markdown: bool) -> String {
        let fix = match self.fixes.as_slice() {
            [] => "Fix: none.".to_string(),
            _ => format!("Fix: {} (see Fix below).", self.fixes_text()),
        };
        let mut doc = format!(
            "# {}\n\n{}\n\nDefault severity: {} ({}). {fix}\n\n{}",
            self.id, self.summary, self.severity, self.severity_reason, self.body
        );
        if !self.references.is_empty() {
            doc = match markdown {
                false => format!(
                    "{}\n\nReferences:\n{}",
                    doc.trim_end(),
                    self.references_text()
                ),
                true => format!(
                    "{}\n\n## References\n\n{}",
                    doc.trim_end(),
                    self.references_markdown()
                ),
            };
        }
        doc
    }

    /// The references as a plain-text list (`- title: url` lines), for the
    /// terminal.
    pub fn references_text(&self) -> String {
        self.references
            .iter()
            .map(|(title, url)| format!("- {title}: {url}\n"))
            .collect()
    }
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
            let v = v.trim();
            let v = match v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
                Some(inner) if !inner.contains('"') => inner,
                _ => v,
            };
            fields.insert(k.trim(), v);
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
    let field = |k: &str| {
        fields
            .get(k)
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
            .ok_or_else(|| format!("rules/{id}.md: no `{k}` in the front matter"))
    };
    Ok(Meta {
        id,
        severity,
        summary,
        severity_reason: field("severity-reason")?,
        seed: field("seed")?,
        references: fields
            .get("references")
            .map(|r| parse_links(r))
            .unwrap_or_default(),
        body: body.trim_start_matches('\n'),
        description: fields
            .get("description")
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string()),
        security_severity: fields
            .get("security-severity")
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string()),
        fixes: match fields.get("fix") {
            None => Vec::new(),
            Some(v) => v
                .split(',')
                .map(|a| match a.trim() {
                    "safe" => Ok(crate::fix::Applicability::Safe),
                    "unsafe" => Ok(crate::fix::Applicability::Unsafe),
                    other => Err(format!(
                        "rules/{id}.md: fix must be safe, unsafe or `safe, unsafe`, not `{other}`"
                    )),
                })
                .collect::<Result<_, _>>()?,
        },
    })
}

/// `[title](url); [title](url)` → (title, url) pairs. A malformed link is
/// left out (the registry tests check that none is).
pub fn parse_links(s: &str) -> Vec<(String, String)> {
    s.split("; ")
        .filter_map(|l| {
            let l = l.trim().strip_prefix('[')?;
            let (title, rest) = l.split_once("](")?;
            let url = rest.strip_suffix(')')?;
            Some((title.to_string(), url.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(t, u)| (t.to_string(), u.to_string()))
            .collect()
    }

    #[test]
    fn parse_links_reads_each_link_in_order() {
        assert_eq!(
            parse_links(
                "[StatefulSets: Limitations](https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#limitations); \
                 [Disruptions](https://kubernetes.io/docs/concepts/workloads/pods/disruptions/)"
            ),
            pairs(&[
                (
                    "StatefulSets: Limitations",
                    "https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#limitations"
                ),
                (
                    "Disruptions",
                    "https://kubernetes.io/docs/concepts/workloads/pods/disruptions/"
                ),
            ])
        );
        // A title may hold colons and parentheses, a URL a closing parenthesis.
        assert_eq!(
            parse_links("[a: b (c)](https://example.org/x_(y))"),
            pairs(&[("a: b (c)", "https://example.org/x_(y)")])
        );
    }

    #[test]
    fn parse_links_leaves_out_malformed_links() {
        assert!(parse_links("").is_empty());
        assert!(parse_links("https://kubernetes.io/docs/").is_empty());
        assert_eq!(
            parse_links("[no url]; [ok](https://a.example/); [open](https://b.example/"),
            pairs(&[("ok", "https://a.example/")])
        );
    }

    #[test]
    fn references_are_read_from_the_front_matter_and_rendered() {
        let doc = "---\nid: x\nseverity: note\nseverity-reason: r\nsummary: s\nseed: none\n\
                   references: [One](https://one.example/a#b); [Two](https://two.example/)\n---\nbody\n";
        let m = parse_doc("x", doc).unwrap();
        assert_eq!(
            m.references,
            pairs(&[
                ("One", "https://one.example/a#b"),
                ("Two", "https://two.example/")
            ])
        );
        assert_eq!(
            m.references_markdown(),
            "- [One](https://one.example/a#b)\n- [Two](https://two.example/)\n"
        );
        assert_eq!(
            m.references_text(),
            "- One: https://one.example/a#b\n- Two: https://two.example/\n"
        );
        let without =
            "---\nid: x\nseverity: note\nseverity-reason: r\nsummary: s\nseed: none\n---\nbody\n";
        assert!(parse_doc("x", without).unwrap().references.is_empty());
    }
}
