//! `stslint lsp`: a language server over standard input and output.
//!
//! Synchronous, on one thread: lsp-server's message types over crossbeam
//! channels ([`transport`]), and a loop that lints on open, save and, a
//! moment after the last of a burst of changes, on change
//! ([`DEBOUNCE`], a `recv_timeout` on the channel), then publishes each open
//! document's diagnostics ([`diagnostics`]). What is linted, and with which
//! configuration, is the [`workspace`]'s business. Hover shows the rule's
//! documentation; code actions offer a finding's fix and "suppress for this
//! object" ([`actions`], [`suppress`]).
//!
//! Nothing a client sends panics the server or ends it before `exit`: bad
//! framing is skipped, a request with bad parameters gets an error, an
//! unknown one "method not found". Logging goes to stderr; stdout carries
//! the protocol only.

mod actions;
mod diagnostics;
mod position;
mod suppress;
mod transport;
mod uri;
mod workspace;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    DidChangeTextDocumentParams, DidChangeWatchedFilesRegistrationOptions,
    DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    FileSystemWatcher, GlobPattern, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeResult, MarkupContent, MarkupKind, MessageType, PublishDiagnosticsParams,
    Registration, RegistrationParams, SaveOptions, ServerCapabilities, ServerInfo,
    ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};
use serde_json::Value;

use diagnostics::Item;
use position::Encoding;
use workspace::{Document, Workspace};

/// How long after the last change of a burst the documents are linted.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// Run the server until `exit`: the process exit code, 0 when `shutdown`
/// came first (as the protocol says).
pub fn run() -> u8 {
    let (conn, threads) = match transport::stdio() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("stslint lsp: cannot start: {e}");
            return 1;
        }
    };
    let code = match initialize(&conn) {
        Some(init) => Server::new(conn, init).serve(),
        None => {
            drop(conn);
            1
        }
    };
    // Every message is written before the process ends.
    threads.join();
    code
}

/// What the client said at `initialize`.
struct Init {
    enc: Encoding,
    roots: Vec<PathBuf>,
    /// It can register a file watcher for us.
    watch: bool,
}

/// Answer `initialize` (requests before it get an error, notifications are
/// dropped). `None` when the client left first.
fn initialize(conn: &Connection) -> Option<Init> {
    loop {
        let req = match conn.receiver.recv().ok()? {
            Message::Request(r) if r.method == "initialize" => r,
            Message::Request(r) => {
                let e = ErrorCode::ServerNotInitialized as i32;
                let _ = conn
                    .sender
                    .send(Response::new_err(r.id, e, "not initialized".into()).into());
                continue;
            }
            Message::Notification(n) if n.method == "exit" => return None,
            _ => continue,
        };
        let p = &req.params;
        let strings = |v: Option<&Value>| -> Vec<String> {
            (v.and_then(Value::as_array).into_iter().flatten())
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        };
        let enc = Encoding::negotiate(&strings(
            p.pointer("/capabilities/general/positionEncodings"),
        ));
        let watch = p
            .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let folders = (p
            .get("workspaceFolders")
            .and_then(Value::as_array)
            .into_iter()
            .flatten())
        .filter_map(|f| f.get("uri"))
        .cloned();
        let root_uri = p.get("rootUri").cloned().into_iter();
        let mut roots: Vec<PathBuf> = folders.filter_map(path_of_uri).collect();
        if roots.is_empty() {
            roots = root_uri.filter_map(path_of_uri).collect();
        }
        if roots.is_empty() {
            let root_path = p.get("rootPath").and_then(Value::as_str).map(PathBuf::from);
            roots.extend(
                root_path
                    .filter(|p| p.is_absolute())
                    .map(|p| crate::discover::lexical_absolute(&p)),
            );
        }
        let result = InitializeResult {
            capabilities: capabilities(enc),
            server_info: Some(ServerInfo {
                name: "stslint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        let _ = conn.sender.send(Response::new_ok(req.id, result).into());
        return Some(Init { enc, roots, watch });
    }
}

fn path_of_uri(v: Value) -> Option<PathBuf> {
    let u: Uri = serde_json::from_value(v).ok()?;
    uri::to_path(&u)
}

fn capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp_types::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

/// The last lint of an open document.
struct Linted {
    /// The text that was linted (spans are offsets into it).
    text: Arc<str>,
    items: Vec<Item>,
}

struct Server {
    conn: Connection,
    enc: Encoding,
    watch: bool,
    /// Open documents by URI.
    docs: BTreeMap<String, Document>,
    workspace: Workspace,
    linted: HashMap<String, Linted>,
    /// What was last published for each open document.
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    /// When to lint next.
    due: Option<Instant>,
    shutdown: bool,
    next_id: i32,
    log_times: bool,
}

impl Server {
    fn new(conn: Connection, init: Init) -> Server {
        Server {
            conn,
            enc: init.enc,
            watch: init.watch,
            docs: BTreeMap::new(),
            workspace: Workspace::new(init.roots),
            linted: HashMap::new(),
            published: HashMap::new(),
            due: None,
            shutdown: false,
            next_id: 0,
            log_times: std::env::var_os("STSLINT_LSP_LOG").is_some(),
        }
    }

    /// The main loop: returns the exit code.
    fn serve(mut self) -> u8 {
        loop {
            let msg = match self.due {
                Some(due) => {
                    let wait = due.saturating_duration_since(Instant::now());
                    match self.conn.receiver.recv_timeout(wait) {
                        Ok(m) => m,
                        Err(RecvTimeoutError::Timeout) => {
                            if !guarded(|| self.lint()) {
                                eprintln!("stslint lsp: the lint failed (a bug)");
                            }
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => return 1,
                    }
                }
                None => match self.conn.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return 1,
                },
            };
            // A bug met while handling one message (a panic) fails that
            // request or notification, not the server.
            match msg {
                Message::Request(r) => {
                    let id = r.id.clone();
                    if !guarded(|| self.request(r)) {
                        let e = ErrorCode::InternalError as i32;
                        self.send(Response::new_err(id, e, "internal error (a bug)".into()));
                    }
                }
                Message::Notification(n) if n.method == "exit" => {
                    return if self.shutdown { 0 } else { 1 };
                }
                Message::Notification(n) if !self.shutdown => {
                    let method = n.method.clone();
                    if !guarded(|| self.notification(n)) {
                        eprintln!("stslint lsp: {method} failed (a bug)");
                    }
                }
                Message::Notification(_) => {}
                Message::Response(r) => {
                    if let Err(e) = r.response_result {
                        eprintln!(
                            "stslint lsp: the client refused request {}: {}",
                            r.id, e.message
                        );
                    }
                }
            }
        }
    }

    fn send(&self, msg: impl Into<Message>) {
        // The writer is gone only when the client is: the loop ends soon.
        let _ = self.conn.sender.send(msg.into());
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Notification::new(method.to_string(), params));
    }

    /// Lint after `delay`: a change waits for the end of its burst, an
    /// open or a save goes first.
    fn schedule(&mut self, delay: Duration) {
        let at = Instant::now() + delay;
        self.due = match (self.due, delay.is_zero()) {
            (Some(due), true) => Some(due.min(at)),
            _ => Some(at),
        };
    }

    fn request(&mut self, r: Request) {
        if self.shutdown {
            let e = ErrorCode::InvalidRequest as i32;
            self.send(Response::new_err(
                r.id,
                e,
                "the server is shutting down".into(),
            ));
            return;
        }
        let id = r.id.clone();
        let result = match r.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            "textDocument/hover" => params(r).map(|p| json(self.hover(p))),
            "textDocument/codeAction" => params(r).map(|p| json(self.code_actions(p))),
            m => Err((ErrorCode::MethodNotFound, format!("unknown method {m}"))),
        };
        match result {
            Ok(v) => self.send(Response::new_ok(id, v)),
            Err((code, message)) => self.send(Response::new_err(id, code as i32, message)),
        }
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let done = match method.as_str() {
            "initialized" => {
                self.register_watcher();
                Ok(())
            }
            "textDocument/didOpen" => params(n).map(|p| self.did_open(p)),
            "textDocument/didChange" => params(n).map(|p| self.did_change(p)),
            "textDocument/didSave" => {
                // A file may have been created: walk again (once per save,
                // not per keystroke).
                self.workspace.invalidate();
                self.schedule(Duration::ZERO);
                Ok(())
            }
            "textDocument/didClose" => params(n).map(|p| self.did_close(p)),
            "workspace/didChangeWatchedFiles" => {
                self.workspace.invalidate();
                self.schedule(Duration::ZERO);
                Ok(())
            }
            "workspace/didChangeWorkspaceFolders" => params(n).map(|p| self.folders_changed(p)),
            _ => Ok(()),
        };
        if let Err((_, message)) = done {
            eprintln!("stslint lsp: ignored {method}: {message}");
        }
    }

    /// Ask the client to tell us when manifests change on disk, so that a
    /// fix in a closed file updates the cross-file findings of open ones.
    fn register_watcher(&mut self) {
        if !self.watch {
            return;
        }
        let watchers = ["**/*.{yaml,yml,json}", "**/.stslint.{yaml,yml}"]
            .into_iter()
            .map(|g| FileSystemWatcher {
                glob_pattern: GlobPattern::String(g.into()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "stslint-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        let id = RequestId::from(format!("stslint-{}", self.next_id));
        self.send(Request::new(id, "client/registerCapability".into(), params));
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let d = p.text_document;
        let key = d.uri.as_str().to_string();
        let doc = Document {
            path: uri::to_path(&d.uri),
            uri: d.uri,
            version: d.version,
            text: d.text,
        };
        self.docs.insert(key.clone(), doc);
        // Published again, even when it is what the client had.
        self.published.remove(&key);
        self.schedule(Duration::ZERO);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let enc = self.enc;
        let Some(doc) = self.docs.get_mut(p.text_document.uri.as_str()) else {
            return;
        };
        for c in p.content_changes {
            position::apply_change(&mut doc.text, c.range, &c.text, enc);
        }
        doc.version = p.text_document.version;
        self.schedule(DEBOUNCE);
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let key = p.text_document.uri.as_str();
        self.docs.remove(key);
        self.linted.remove(key);
        self.published.remove(key);
        let params = PublishDiagnosticsParams {
            uri: p.text_document.uri,
            diagnostics: Vec::new(),
            version: None,
        };
        self.notify("textDocument/publishDiagnostics", params);
        // The others lose the buffer: the file on disk counts again.
        if !self.docs.is_empty() {
            self.schedule(Duration::ZERO);
        }
    }

    fn folders_changed(&mut self, p: DidChangeWorkspaceFoldersParams) {
        let removed: HashSet<PathBuf> = (p.event.removed.iter())
            .filter_map(|f| uri::to_path(&f.uri))
            .collect();
        let mut roots: Vec<PathBuf> = (self.workspace.roots().iter())
            .filter(|r| !removed.contains(*r))
            .cloned()
            .collect();
        roots.extend(p.event.added.iter().filter_map(|f| uri::to_path(&f.uri)));
        self.workspace.set_roots(roots);
        self.schedule(Duration::ZERO);
    }

    /// Lint now if a lint is due: requests answer on what is in the
    /// buffers.
    fn flush(&mut self) {
        if self.due.is_some() {
            self.lint();
        }
    }

    /// Lint the open documents' contexts and publish what changed.
    fn lint(&mut self) {
        self.due = None;
        let start = Instant::now();
        let (runs, messages) = self.workspace.lint(&self.docs);
        for m in messages {
            let params = ShowMessageParams {
                typ: MessageType::ERROR,
                message: m,
            };
            self.notify("window/showMessage", params);
        }
        let mut linted = HashMap::new();
        for run in &runs {
            let names: HashMap<_, _> = run.docs.iter().cloned().collect();
            let uri_of = |id| {
                names
                    .get(&id)
                    .cloned()
                    .or_else(|| uri::from_path(std::path::Path::new(&run.outcome.file(id).name)))
            };
            for (id, uri) in &run.docs {
                let items = diagnostics::of_file(&run.outcome, *id, &uri_of, self.enc);
                let text = run.outcome.file(*id).text.clone();
                linted.insert(uri.as_str().to_string(), Linted { text, items });
            }
        }
        self.linted = linted;
        // Every open document: one that was not linted (excluded by the
        // configuration) has nothing.
        let docs: Vec<(Uri, i32)> = self
            .docs
            .values()
            .map(|d| (d.uri.clone(), d.version))
            .collect();
        for (uri, version) in docs {
            let diags = match self.linted.get(uri.as_str()) {
                Some(l) => l.items.iter().map(|i| i.diagnostic.clone()).collect(),
                None => Vec::new(),
            };
            self.publish(&uri, diags, Some(version));
        }
        if self.log_times {
            eprintln!(
                "stslint lsp: linted {} open documents in {} ms",
                self.docs.len(),
                start.elapsed().as_millis()
            );
        }
    }

    /// Publish a document's diagnostics unless the client has them already.
    fn publish(
        &mut self,
        uri: &Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) {
        let key = uri.as_str();
        if self.published.get(key) == Some(&diagnostics) {
            return;
        }
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: diagnostics.clone(),
            version,
        };
        self.notify("textDocument/publishDiagnostics", params);
        self.published.insert(key.to_string(), diagnostics);
    }

    fn hover(&mut self, p: HoverParams) -> Option<Hover> {
        self.flush();
        let at = p.text_document_position_params;
        let linted = self.linted.get(at.text_document.uri.as_str())?;
        let o = position::offset(&linted.text, at.position, self.enc) as u32;
        let here: Vec<&Item> = (linted.items.iter())
            .filter(|i| i.rule.is_some() && i.span.start <= o && o <= i.span.end)
            .collect();
        let mut rules: Vec<&'static str> = Vec::new();
        for r in here.iter().filter_map(|i| i.rule) {
            if !rules.contains(&r) {
                rules.push(r);
            }
        }
        let docs: Vec<String> = (rules.iter())
            .filter_map(|r| crate::rules::meta(r))
            .map(|m| m.doc(true))
            .collect();
        if docs.is_empty() {
            return None;
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: docs.join("\n\n---\n\n"),
            }),
            range: here.first().map(|i| i.diagnostic.range),
        })
    }

    fn code_actions(&mut self, p: CodeActionParams) -> Vec<lsp_types::CodeActionOrCommand> {
        self.flush();
        let wanted = |only: &Vec<CodeActionKind>| {
            only.iter().any(|k| {
                let k = k.as_str();
                k.is_empty() || CodeActionKind::QUICKFIX.as_str().starts_with(k)
            })
        };
        if p.context.only.as_ref().is_some_and(|only| !wanted(only)) {
            return Vec::new();
        }
        let uri = p.text_document.uri;
        let (Some(linted), Some(doc)) =
            (self.linted.get(uri.as_str()), self.docs.get(uri.as_str()))
        else {
            return Vec::new();
        };
        let name = doc.name();
        let file = crate::source::SourceFile::new(name.clone(), linted.text.clone());
        let asked = position::span(&linted.text, p.range, self.enc);
        let here: Vec<&Item> = (linted.items.iter())
            .filter(|i| i.rule.is_some())
            .filter(|i| i.span.start <= asked.end && asked.start <= i.span.end)
            .collect();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for i in &here {
            if let Some(fix) = &i.fix {
                out.push(fix.to_lsp(&uri, &file, self.enc, &i.diagnostic));
            }
        }
        for i in &here {
            let object = i.object.as_ref().map(|o| o.to_string());
            if !seen.insert((i.rule, object)) {
                continue;
            }
            if let Some(a) = actions::Action::suppress(&name, &linted.text, i) {
                out.push(a.to_lsp(&uri, &file, self.enc, &i.diagnostic));
            }
        }
        out.into_iter()
            .map(lsp_types::CodeActionOrCommand::CodeAction)
            .collect()
    }
}

/// A message's parameters, or the error to answer with.
fn params<P: serde::de::DeserializeOwned>(m: impl HasParams) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(m.params()).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

trait HasParams {
    fn params(self) -> Value;
}

impl HasParams for Request {
    fn params(self) -> Value {
        self.params
    }
}

impl HasParams for Notification {
    fn params(self) -> Value {
        self.params
    }
}

/// Run `f`; false when it panicked.
fn guarded(f: impl FnOnce()) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_ok()
}

fn json(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
