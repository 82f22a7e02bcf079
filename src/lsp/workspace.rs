//! What the server lints, and how: each open document in its context, the
//! workspace folder it is in (walked whole, as `stslint FOLDER` would, with
//! the folder's `.stslint.yaml`), or for a document in no folder its own
//! directory (the files beside it, as `--context-dirs` reads them). Open
//! documents replace their files on disk, as `--stdin-filename` replaces one.
//!
//! A context's configuration and the list of files discovered in it are
//! kept until files change on disk (`workspace/didChangeWatchedFiles`, a
//! save): a keystroke never walks a directory. Each run still reads and
//! lints every file of the context, which takes milliseconds for a small
//! workspace; an incremental run (only the changed file parsed again) is
//! left for later.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::Uri;

use crate::cli;
use crate::discover::{self, Input};
use crate::engine::{self, Outcome};
use crate::source::{FileId, SourceFile};

/// An open document.
#[derive(Clone, Debug)]
pub struct Document {
    pub uri: Uri,
    /// `None` for a document that is no file (`untitled:`): it is linted
    /// alone, with the default configuration.
    pub path: Option<PathBuf>,
    pub version: i32,
    pub text: String,
}

impl Document {
    /// The name its findings are reported under.
    pub fn name(&self) -> String {
        match &self.path {
            Some(p) => discover::display(p),
            None => self.uri.as_str().to_string(),
        }
    }
}

/// The files linted together: a workspace folder, or a directory.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Folder(PathBuf),
    Directory(PathBuf),
    /// Documents that are no file, each alone.
    Alone(String),
}

#[derive(Default)]
struct Context {
    config: Option<Arc<cli::Config>>,
    /// The files discovered, each with its [`discover::file_key`].
    inputs: Option<Vec<(Input, PathBuf)>>,
}

/// One run over one context.
pub struct Run {
    pub outcome: Outcome,
    /// The open documents linted: their file in the outcome, and their URI.
    pub docs: Vec<(FileId, Uri)>,
}

#[derive(Default)]
pub struct Workspace {
    /// The workspace folders (absolute).
    roots: Vec<PathBuf>,
    contexts: BTreeMap<Key, Context>,
    /// Configuration errors already shown to the user.
    shown: HashSet<String>,
}

impl Workspace {
    pub fn new(roots: Vec<PathBuf>) -> Workspace {
        Workspace {
            roots,
            ..Workspace::default()
        }
    }

    pub fn set_roots(&mut self, roots: Vec<PathBuf>) {
        self.roots = roots;
        self.contexts.clear();
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Files changed on disk: every configuration is read again and every
    /// directory walked again at the next run.
    pub fn invalidate(&mut self) {
        self.contexts.clear();
    }

    fn key(&self, doc: &Document) -> Key {
        let Some(path) = &doc.path else {
            return Key::Alone(doc.uri.as_str().to_string());
        };
        let folder = (self.roots.iter())
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count());
        match folder {
            Some(r) => Key::Folder(r.clone()),
            None => Key::Directory(path.parent().unwrap_or(Path::new("/")).to_path_buf()),
        }
    }

    /// Lint every context that has open documents. Returns the runs and the
    /// messages to show the user (configuration errors, once each).
    pub fn lint(&mut self, docs: &BTreeMap<String, Document>) -> (Vec<Run>, Vec<String>) {
        let mut groups: BTreeMap<Key, Vec<&Document>> = BTreeMap::new();
        for d in docs.values() {
            groups.entry(self.key(d)).or_default().push(d);
        }
        // Contexts without open documents are forgotten.
        self.contexts.retain(|k, _| groups.contains_key(k));
        let mut runs = Vec::new();
        let mut messages = Vec::new();
        for (key, docs) in groups {
            let (config, message) = self.config(&key, &docs);
            messages.extend(message.filter(|m| self.shown.insert(m.clone())));
            let Some(config) = config else { continue };
            let inputs = self.inputs(&key, &docs, &config);
            if let Some(run) = lint_context(&config, inputs, &docs) {
                runs.push(run);
            }
        }
        (runs, messages)
    }

    /// The context's configuration, read once; a configuration that cannot
    /// be used is reported and the defaults are used.
    fn config(
        &mut self,
        key: &Key,
        docs: &[&Document],
    ) -> (Option<Arc<cli::Config>>, Option<String>) {
        let ctx = self.contexts.entry(key.clone()).or_default();
        if let Some(c) = &ctx.config {
            return (Some(c.clone()), None);
        }
        let (paths, beside) = match key {
            Key::Folder(root) => (vec![root.clone()], false),
            // The first document that exists on disk names the directory
            // whose files are read beside it.
            Key::Directory(dir) => {
                let on_disk = docs
                    .iter()
                    .filter_map(|d| d.path.clone())
                    .find(|p| p.is_file());
                (vec![on_disk.unwrap_or_else(|| dir.clone())], true)
            }
            Key::Alone(_) => (Vec::new(), false),
        };
        let use_config = !matches!(key, Key::Alone(_));
        let (config, message) = match cli::Config::for_paths(paths.clone(), use_config) {
            Ok(c) => (Some(c), None),
            Err(e) => {
                let message = format!("stslint: {e}; linting with the default configuration");
                (cli::Config::for_paths(paths, false).ok(), Some(message))
            }
        };
        let config = config.map(|mut c| {
            c.discover.context_dirs = beside;
            Arc::new(c)
        });
        ctx.config = config.clone();
        (config, message)
    }

    /// The files of the context, discovered once.
    fn inputs(
        &mut self,
        key: &Key,
        docs: &[&Document],
        config: &cli::Config,
    ) -> Vec<(Input, PathBuf)> {
        let ctx = self.contexts.entry(key.clone()).or_default();
        if let Some(i) = &ctx.inputs {
            return i.clone();
        }
        let found = match key {
            Key::Alone(_) => Vec::new(),
            Key::Directory(_)
                if !docs
                    .iter()
                    .any(|d| d.path.as_ref().is_some_and(|p| p.is_file())) =>
            {
                Vec::new()
            }
            _ => discover::discover_with_context(&config.paths, &config.discover).0,
        };
        let inputs: Vec<(Input, PathBuf)> = found
            .into_iter()
            .map(|i| {
                let key = match &i {
                    Input::File(p) | Input::Unreadable { path: p, .. } => discover::file_key(p),
                    Input::Chart(p) => p.clone(),
                    Input::Stdin => PathBuf::new(),
                };
                (i, key)
            })
            .collect();
        ctx.inputs = Some(inputs.clone());
        inputs
    }
}

/// Lint a context: its files on disk, with the open documents' buffers in
/// place of theirs. `None` when the engine failed (a bug, reported on
/// stderr): the server keeps serving.
fn lint_context(
    config: &cli::Config,
    inputs: Vec<(Input, PathBuf)>,
    docs: &[&Document],
) -> Option<Run> {
    // Documents the configuration excludes are not linted, as a walk of
    // the folder would not read them.
    let filter = config.discover.filter.as_deref();
    let linted: Vec<&Document> = (docs.iter().copied())
        .filter(|d| match (&d.path, filter) {
            (Some(p), Some(f)) => !f.excluded(p) && f.included(p) != Some(false),
            _ => true,
        })
        .collect();
    let open: HashSet<PathBuf> = (linted.iter())
        .filter_map(|d| d.path.as_deref().map(discover::file_key))
        .collect();
    let inputs: Vec<Input> = (inputs.into_iter())
        .filter(|(_, key)| !open.contains(key))
        .map(|(i, _)| i)
        .collect();
    let (mut files, problems) = discover::read_all(inputs, &config.discover);
    let mut names: HashMap<String, Uri> = HashMap::new();
    for d in &linted {
        let name = d.name();
        // Two URIs of one file: the first is linted.
        if names.contains_key(&name) {
            continue;
        }
        files.push(SourceFile::new(name.clone(), d.text.as_str()));
        names.insert(name, d.uri.clone());
    }
    let settings = &config.settings;
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        engine::lint(files, problems, settings)
    }));
    let outcome = match run {
        Ok(o) => o,
        Err(_) => {
            eprintln!(
                "stslint lsp: the lint run failed (a bug: please report it with the manifests)"
            );
            return None;
        }
    };
    let docs = (outcome.files.iter().enumerate())
        .filter_map(|(i, f)| Some((FileId(i as u32), names.get(&f.name)?.clone())))
        .collect();
    Some(Run { outcome, docs })
}
