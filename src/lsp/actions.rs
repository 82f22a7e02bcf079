//! Code actions: a finding's fix, and "suppress for this object". Both are
//! byte-range edits of one document, turned into LSP text edits in the
//! negotiated position encoding only when they are sent.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, Diagnostic, TextEdit, Uri, WorkspaceEdit};

use super::diagnostics::Item;
use super::position::{self, Encoding};
use crate::diagnostic::Finding;
use crate::fix::{Applicability, Fix};
use crate::source::{ByteSpan, SourceFile};

/// Edits of one document offered as a quick fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    /// Safe to apply without looking (a safe fix): the client may apply it
    /// with one key.
    pub preferred: bool,
    /// Byte ranges of the linted text and their replacements, in order, not
    /// overlapping.
    pub edits: Vec<(ByteSpan, String)>,
}

impl Action {
    /// The finding's fix, if it has one.
    pub fn of_finding(f: &Finding) -> Option<Action> {
        f.fix.as_deref().map(Action::of_fix)
    }

    /// A fix as a quick fix: preferred when safe, "(unsafe)" in the title
    /// when it changes what runs on a cluster.
    pub fn of_fix(fix: &Fix) -> Action {
        let safe = fix.applicability == Applicability::Safe;
        let title = match safe {
            true => fix.title.to_string(),
            false => format!("{} (unsafe)", fix.title),
        };
        Action {
            title,
            preferred: safe,
            edits: (fix.edits.iter())
                .map(|e| (e.span, e.content.to_string()))
                .collect(),
        }
    }

    /// "Suppress `rule` for Kind/name": the annotation added to the object
    /// of `text` at `at` (see [`super::suppress`]).
    pub fn suppress(name: &str, text: &str, item: &Item) -> Option<Action> {
        let rule = item.rule?;
        let edit = super::suppress::edit(name, text, item.span, rule)?;
        let object = item
            .object
            .as_ref()
            .map(|o| format!(" for {}/{}", o.kind, o.name))
            .unwrap_or_default();
        Some(Action {
            title: format!(
                "Suppress {rule}{object} ({}: {rule})",
                crate::suppress::IGNORE
            ),
            preferred: false,
            edits: vec![edit],
        })
    }

    /// The action for the client: a workspace edit of `uri`, whose linted
    /// text is `file`, fixing `diagnostic`.
    pub fn to_lsp(
        &self,
        uri: &Uri,
        file: &SourceFile,
        enc: Encoding,
        diagnostic: &Diagnostic,
    ) -> CodeAction {
        let edits = (self.edits.iter())
            .map(|(span, content)| TextEdit {
                range: position::range(file, *span, enc),
                new_text: content.clone(),
            })
            .collect();
        CodeAction {
            title: self.title.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), edits)])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: self.preferred.then_some(true),
            ..CodeAction::default()
        }
    }
}
