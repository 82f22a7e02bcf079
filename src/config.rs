//! `.stslint.yaml`: the project's settings, read once before the run.
//!
//! The file is found by walking up from the linted paths (or named with
//! `--config`). It is parsed with stslint's own YAML reader, so every error is
//! located (`file:line:col`) and an unknown key or value gets a "did you
//! mean". Globs are relative to the file's directory. Command-line options
//! override the file (see [`crate::cli`]); `stslint --show-config` prints the
//! result. The JSON Schema in `stslint.schema.json` comes from
//! [`json_schema`], the same tables this module checks against.

use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::diagnostic::Severity;
use crate::source::{ByteSpan, SourceFile};
use crate::yaml::{Node, Value};

/// The names a config file may have, in the order they are looked for.
pub const FILE_NAMES: [&str; 2] = [".stslint.yaml", ".stslint.yml"];

/// A config file larger than this is an error, not read.
const MAX_BYTES: u64 = 1 << 20;

/// The top-level keys, with what each holds (for errors, the schema and
/// `stslint init`).
pub const KEYS: &[(&str, &str)] = &[
    ("fail-on", "exit with 1 when a finding is at least this severe: error, warning, note or none"),
    ("namespace", "the namespace of objects that set no `metadata.namespace`"),
    ("include", "globs of the files to lint when walking directories (default: *.yaml, *.yml, *.json)"),
    ("exclude", "globs of files and directories never linted"),
    ("rules", "per rule: off, on (its default severity), note, warning or error"),
    ("images", "images stslint should treat as data stores: data-stores, peer-to-peer"),
    ("contexts", "globs of directories whose objects link only with each other (one cluster, one environment)"),
];

/// The keys under `images`.
pub const IMAGE_KEYS: &[(&str, &str)] = &[
    ("data-stores", "image globs of data stores whose pod 0 initialises the cluster and the others join (primary/replica databases, brokers)"),
    ("peer-to-peer", "image globs of data stores whose members all start alike and find each other (Cassandra-like rings)"),
];

/// What a config file says about one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    /// Run at the rule's default severity.
    On,
    At(Severity),
}

impl RuleLevel {
    const WORDS: &'static [&'static str] = &["off", "on", "note", "warning", "error"];

    fn parse(s: &str) -> Option<RuleLevel> {
        match s {
            "off" => Some(RuleLevel::Off),
            "on" => Some(RuleLevel::On),
            s => Severity::parse(s).map(RuleLevel::At),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RuleLevel::Off => "off",
            RuleLevel::On => "on",
            RuleLevel::At(s) => s.as_str(),
        }
    }
}

/// A config file, checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileConfig {
    /// `None`: not set; `Some(None)`: `none`.
    pub fail_on: Option<Option<Severity>>,
    pub namespace: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub contexts: Vec<String>,
    pub rules: Vec<(&'static str, RuleLevel)>,
    pub data_store_images: Vec<String>,
    pub peer_to_peer_images: Vec<String>,
}

/// A config file that cannot be used, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as shown.
    pub file: String,
    /// 1-based line and column, when the error has a place.
    pub at: Option<(u32, u32)>,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The config's text comes from whoever can open a pull request, and
        // messages quote it (a glob parser's error quotes the glob): no
        // control character reaches the terminal.
        use crate::report::escape;
        let (file, message) = (escape(&self.file), escape(&self.message));
        match self.at {
            Some((line, col)) => write!(f, "{file}:{line}:{col}: {message}")?,
            None => write!(f, "{file}: {message}")?,
        }
        if let Some(h) = &self.help {
            write!(f, "\n  help: {}", escape(h))?;
        }
        Ok(())
    }
}

/// Errors of one config file, all of them (a user fixes them in one go).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Read and check the config file at `path` (shown as `name`).
pub fn load(path: &Path, name: &str) -> Result<FileConfig, ConfigErrors> {
    let whole = |message: String| {
        ConfigErrors(vec![ConfigError {
            file: name.to_string(),
            at: None,
            message,
            help: None,
        }])
    };
    let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(whole("not a regular file".into()));
    }
    if meta.len() > MAX_BYTES {
        return Err(whole(format!(
            "the file is {} bytes; a config file is at most {MAX_BYTES}",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        whole(format!(
            "not valid UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    parse(name, &text)
}

/// Check a config file's text.
pub fn parse(name: &str, text: &str) -> Result<FileConfig, ConfigErrors> {
    let file = SourceFile::new(name, text);
    let mut c = Checker {
        file: &file,
        errors: Vec::new(),
    };
    let docs = match crate::yaml::parse_documents(&file) {
        Ok(d) => d,
        Err(e) => {
            let span = e.offset.map(|o| ByteSpan { start: o, end: o });
            c.error(span, format!("not valid YAML: {}", e.message), None);
            return Err(ConfigErrors(c.errors));
        }
    };
    let mut config = FileConfig::default();
    match docs.as_slice() {
        [] => {}
        [root] => c.root(root, &mut config),
        [_, second, ..] => c.error(
            Some(second.span),
            "a config file holds one YAML document".into(),
            None,
        ),
    }
    if c.errors.is_empty() {
        Ok(config)
    } else {
        Err(ConfigErrors(c.errors))
    }
}

struct Checker<'a> {
    file: &'a SourceFile,
    errors: Vec<ConfigError>,
}

impl Checker<'_> {
    fn error(&mut self, span: Option<ByteSpan>, message: String, help: Option<String>) {
        let at = span.map(|s| {
            let lc = self.file.line_col(s.start);
            (lc.line, lc.column)
        });
        self.errors.push(ConfigError {
            file: self.file.name.clone(),
            at,
            message,
            help,
        });
    }

    /// `node` as a mapping, else an error.
    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Option<&'n [crate::yaml::Entry]> {
        match &node.value {
            Value::Map(e) => Some(e),
            Value::Null => Some(&[]),
            _ => {
                self.error(
                    Some(node.span),
                    format!("{what} must be a mapping, not {}", node.type_name()),
                    None,
                );
                None
            }
        }
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                self.error(
                    Some(node.span),
                    format!("{what} must be a string, not {}", node.type_name()),
                    None,
                );
                None
            }
        }
    }

    /// A list of globs (one string is a list of one).
    fn globs(&mut self, node: &Node, what: &str) -> Vec<String> {
        let items: Vec<&Node> = match &node.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Str(_) => vec![node],
            Value::Null => Vec::new(),
            _ => {
                self.error(
                    Some(node.span),
                    format!("{what} must be a list of globs, not {}", node.type_name()),
                    None,
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            let Some(s) = self.string(item, &format!("each glob of {what}")) else {
                continue;
            };
            match compile(&s) {
                Ok(_) => out.push(s),
                Err(e) => self.error(
                    Some(item.span),
                    format!("`{}` is not a valid glob: {e}", crate::report::escape(&s)),
                    Some("globs use `*` (within a directory), `**` (any depth), `?`, `[abc]` and `{a,b}`".into()),
                ),
            }
        }
        out
    }

    /// An unknown key: an error with the nearest known key.
    fn unknown(&mut self, key: &str, span: ByteSpan, known: &[&str], where_: &str) {
        let key = crate::report::escape(key);
        let help = match did_you_mean(&key, known.iter().copied()) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("known keys: {}", known.join(", ")),
        };
        self.error(
            Some(span),
            format!("unknown key `{key}` {where_}"),
            Some(help),
        );
    }

    fn root(&mut self, root: &Node, config: &mut FileConfig) {
        let Some(entries) = self.map(root, "the config") else {
            return;
        };
        let known: Vec<&str> = KEYS.iter().map(|(k, _)| *k).collect();
        let mut seen: Vec<&str> = Vec::new();
        for e in entries {
            if seen.contains(&e.key.as_str()) {
                self.error(
                    Some(e.key_span),
                    format!("`{}` is set twice", e.key),
                    Some("remove one of them".into()),
                );
                continue;
            }
            seen.push(&e.key);
            let v = &e.value;
            match e.key.as_str() {
                "fail-on" => {
                    if let Some(s) = self.string(v, "`fail-on`") {
                        match s.as_str() {
                            "none" => config.fail_on = Some(None),
                            s => match Severity::parse(s) {
                                Some(sev) => config.fail_on = Some(Some(sev)),
                                None => self.bad_word(
                                    v.span,
                                    "fail-on",
                                    s,
                                    &["error", "warning", "note", "none"],
                                ),
                            },
                        }
                    }
                }
                "namespace" => {
                    if let Some(s) = self.string(v, "`namespace`") {
                        if s.is_empty() {
                            self.error(Some(v.span), "`namespace` must not be empty".into(), None);
                        } else {
                            config.namespace = Some(s);
                        }
                    }
                }
                "include" => config.include = self.globs(v, "`include`"),
                "exclude" => config.exclude = self.globs(v, "`exclude`"),
                "contexts" => config.contexts = self.globs(v, "`contexts`"),
                "rules" => self.rules(v, config),
                "images" => self.images(v, config),
                other => self.unknown(other, e.key_span, &known, "in the config"),
            }
        }
    }

    fn bad_word(&mut self, span: ByteSpan, key: &str, got: &str, words: &[&str]) {
        let got = crate::report::escape(got);
        let help = match did_you_mean(&got, words.iter().copied()) {
            Some(w) => format!("did you mean `{w}`?"),
            None => format!("use one of: {}", words.join(", ")),
        };
        self.error(
            Some(span),
            format!("`{key}` is `{got}`, expected one of {}", words.join(", ")),
            Some(help),
        );
    }

    fn rules(&mut self, node: &Node, config: &mut FileConfig) {
        let Some(entries) = self.map(node, "`rules`") else {
            return;
        };
        let ids: Vec<&str> = crate::rules::ALL.iter().map(|e| e.id).collect();
        for e in entries {
            let Some(id) = crate::rules::ALL
                .iter()
                .map(|r| r.id)
                .find(|id| *id == e.key)
            else {
                let key = crate::report::escape(&e.key);
                let help = match did_you_mean(&key, ids.iter().copied()) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None => "see `stslint rules` for the rule ids".into(),
                };
                self.error(
                    Some(e.key_span),
                    format!("unknown rule `{key}`"),
                    Some(help),
                );
                continue;
            };
            if config.rules.iter().any(|(r, _)| *r == id) {
                self.error(
                    Some(e.key_span),
                    format!("rule `{id}` is set twice"),
                    Some("remove one of them".into()),
                );
                continue;
            }
            // `off`/`on` unquoted are YAML 1.1 booleans to some readers: take
            // both the words and booleans.
            let level = match &e.value.value {
                Value::Str(s) => RuleLevel::parse(s).ok_or(s.as_str()),
                Value::Bool(false) => Ok(RuleLevel::Off),
                Value::Bool(true) => Ok(RuleLevel::On),
                _ => Err(""),
            };
            match level {
                Ok(l) => config.rules.push((id, l)),
                Err("") => self.error(
                    Some(e.value.span),
                    format!(
                        "rule `{id}` must be one of {}, not {}",
                        RuleLevel::WORDS.join(", "),
                        e.value.type_name()
                    ),
                    None,
                ),
                Err(s) => {
                    let s = s.to_string();
                    self.bad_word(e.value.span, id, &s, RuleLevel::WORDS)
                }
            }
        }
    }

    fn images(&mut self, node: &Node, config: &mut FileConfig) {
        let Some(entries) = self.map(node, "`images`") else {
            return;
        };
        let known: Vec<&str> = IMAGE_KEYS.iter().map(|(k, _)| *k).collect();
        for e in entries {
            match e.key.as_str() {
                "data-stores" => {
                    config.data_store_images = self.globs(&e.value, "`images.data-stores`")
                }
                "peer-to-peer" => {
                    config.peer_to_peer_images = self.globs(&e.value, "`images.peer-to-peer`")
                }
                other => self.unknown(other, e.key_span, &known, "under `images`"),
            }
        }
    }
}

/// The known word nearest to `got`, if it is near enough to be a typo.
pub fn did_you_mean<'a>(got: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let got = got.to_ascii_lowercase();
    known
        .map(|k| (strsim::jaro_winkler(&got, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// A glob as written in the config: relative to the config's directory, `/`
/// separators, `*` within one directory and `**` across. A glob with no `/`
/// matches at any depth (like `.gitignore`); a leading `/` anchors it at the
/// config's directory; a trailing `/` is dropped (a directory matches
/// everything under it).
fn compile(pattern: &str) -> Result<Glob, globset::Error> {
    let p = pattern.trim_end_matches('/');
    let p = match p.strip_prefix('/') {
        Some(anchored) => anchored.to_string(),
        None if !p.contains('/') => format!("**/{p}"),
        None => p.to_string(),
    };
    GlobBuilder::new(&p).literal_separator(true).build()
}

fn glob_set(patterns: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        // Checked when the config was read.
        if let Ok(g) = compile(p) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Paths relative to a config file's directory, matched against its globs.
#[derive(Clone, Debug)]
pub struct PathFilter {
    root: PathBuf,
    include: Option<GlobSet>,
    exclude: GlobSet,
}

/// The path of `path` relative to `root`, `/`-separated; a path outside
/// `root` is matched as given.
fn relative(root: &Path, path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let rel = abs.strip_prefix(root).unwrap_or(path);
    crate::discover::display(rel)
}

/// `rel` and each of its parent directories, shortest first.
fn prefixes(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/')
        .map(|(i, _)| &rel[..i])
        .filter(|p| !p.is_empty() && *p != ".")
        .chain(std::iter::once(rel))
}

impl PathFilter {
    pub fn new(root: &Path, include: &[String], exclude: &[String]) -> PathFilter {
        PathFilter {
            root: root.to_path_buf(),
            include: (!include.is_empty()).then(|| glob_set(include)),
            exclude: glob_set(exclude),
        }
    }

    /// The file or directory is excluded: it, or a directory it is in (below
    /// the config's directory), matches an `exclude` glob.
    pub fn excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let rel = relative(&self.root, path);
        let hit = prefixes(&rel).any(|p| self.exclude.is_match(p));
        hit
    }

    /// Whether a file found by walking a directory is linted: `None` when no
    /// `include` is set (the extension decides).
    pub fn included(&self, path: &Path) -> Option<bool> {
        let include = self.include.as_ref()?;
        let rel = relative(&self.root, path);
        let hit = prefixes(&rel).any(|p| include.is_match(p));
        Some(hit)
    }
}

/// Linking contexts: each directory matched by a `contexts` glob is a world of
/// its own, whose objects link only with each other.
#[derive(Clone, Debug)]
pub struct Contexts {
    root: PathBuf,
    globs: GlobSet,
}

impl Contexts {
    pub fn new(root: &Path, patterns: &[String]) -> Option<Contexts> {
        (!patterns.is_empty()).then(|| Contexts {
            root: root.to_path_buf(),
            globs: glob_set(patterns),
        })
    }

    /// The context of a file (by its path as shown): the outermost directory
    /// above it that a `contexts` glob matches, or `None` (the default
    /// context, shared by every file in no other).
    pub fn of(&self, name: &str) -> Option<String> {
        let rel = relative(&self.root, Path::new(name));
        let mut dirs = prefixes(&rel);
        // The file itself is not a context: only its directories.
        let found = dirs
            .by_ref()
            .take_while(|p| p.len() < rel.len())
            .find(|p| self.globs.is_match(p));
        found.map(str::to_string)
    }
}

/// The config file for a run over `paths`: the nearest `.stslint.yaml` above
/// each path (standard input: the current directory). Paths under different
/// config files are an error: a run has one config.
pub fn find_for(paths: &[PathBuf]) -> Result<Option<PathBuf>, String> {
    let mut found: Option<(PathBuf, &Path)> = None;
    for p in paths {
        let start = if p.as_os_str() == "-" {
            PathBuf::from(".")
        } else if p.is_dir() {
            p.clone()
        } else {
            p.parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let Some(c) = find(&start) else { continue };
        match &found {
            None => found = Some((c, p)),
            Some((first, by)) if !same_file(first, &c) => {
                return Err(format!(
                    "the paths are under different config files: {} (for {}) and {} (for {}); lint them in separate runs, or choose one with --config",
                    crate::discover::display(first),
                    crate::discover::display(by),
                    crate::discover::display(&c),
                    crate::discover::display(p),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(found.map(|(c, _)| c))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The nearest config file in `dir` or a directory above it.
pub fn find(dir: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    for d in abs.ancestors() {
        for name in FILE_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                // Shown relative to the current directory when it is below it.
                let shown = std::env::current_dir()
                    .ok()
                    .and_then(|cwd| candidate.strip_prefix(&cwd).ok().map(Path::to_path_buf))
                    .unwrap_or(candidate);
                return Some(shown);
            }
        }
    }
    None
}

/// The directory a config file's globs are relative to (absolute).
pub fn root_of(config: &Path) -> PathBuf {
    let abs = std::path::absolute(config).unwrap_or_else(|_| config.to_path_buf());
    abs.parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf)
}

/// The JSON Schema of the config file, for editors (`stslint.schema.json`).
pub fn json_schema() -> serde_json::Value {
    use serde_json::json;
    let describe = |k: &str, table: &[(&str, &str)]| {
        table
            .iter()
            .find(|(key, _)| *key == k)
            .map_or("", |(_, d)| *d)
            .to_string()
    };
    let globs = |key: &str, table: &[(&str, &str)]| {
        json!({
            "description": describe(key, table),
            "oneOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } },
            ],
        })
    };
    let level = json!({ "enum": ["off", "on", "note", "warning", "error"] });
    let rules: serde_json::Map<String, serde_json::Value> = crate::rules::metas()
        .iter()
        .map(|m| {
            let mut l = level.clone();
            l["description"] = json!(format!("{} (default: {})", m.summary, m.severity));
            (m.id.to_string(), l)
        })
        .collect();
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/stslint/stslint/blob/main/stslint.schema.json",
        "title": "stslint configuration (.stslint.yaml)",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "fail-on": {
                "description": describe("fail-on", KEYS),
                "enum": ["error", "warning", "note", "none"],
            },
            "namespace": {
                "description": describe("namespace", KEYS),
                "type": "string",
                "minLength": 1,
            },
            "include": globs("include", KEYS),
            "exclude": globs("exclude", KEYS),
            "contexts": globs("contexts", KEYS),
            "rules": {
                "description": describe("rules", KEYS),
                "type": "object",
                "additionalProperties": false,
                "properties": rules,
            },
            "images": {
                "description": describe("images", KEYS),
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "data-stores": globs("data-stores", IMAGE_KEYS),
                    "peer-to-peer": globs("peer-to-peer", IMAGE_KEYS),
                },
            },
        },
    })
}

/// The commented starter that `stslint init` writes.
pub fn starter() -> String {
    let mut s = String::from(
        "# stslint configuration: https://github.com/stslint/stslint#configuration\n\
         # yaml-language-server: $schema=https://raw.githubusercontent.com/stslint/stslint/main/stslint.schema.json\n\
         # Globs are relative to this file's directory.\n\
         \n\
         # Exit with 1 when a finding is at least this severe: error, warning, note or none.\n\
         fail-on: warning\n\
         \n\
         # The namespace of objects that set none (kubectl's current namespace).\n\
         # namespace: default\n\
         \n\
         # Files and directories never linted.\n\
         exclude:\n  - \"**/testdata/**\"\n\
         \n\
         # Directories whose objects link only with each other: a Service or a backup\n\
         # in one cluster's directory does not count for a StatefulSet in another's.\n\
         # contexts:\n#   - \"clusters/*\"\n\
         \n\
         # Your own images of data stores, when stslint does not know them by name.\n\
         # images:\n\
         #   data-stores: [\"registry.example.com/platform/postgres-*\"]\n\
         #   peer-to-peer: [\"registry.example.com/platform/cassandra-*\"]\n\
         \n\
         # Per rule: off, on, note, warning or error (default severities shown).\n\
         rules:\n",
    );
    for m in crate::rules::metas() {
        s.push_str(&format!("  # {}: {}\n", m.id, m.severity));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match parse(".stslint.yaml", text) {
            Ok(c) => panic!("expected errors, got {c:?}"),
            Err(e) => e.0.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            "c",
            "fail-on: none\nnamespace: prod\ninclude: deploy\nexclude: [vendor, '**/testdata/**']\n\
             contexts: ['clusters/*']\nrules:\n  missing-pdb: off\n  missing-backup: error\n  \
             missing-resources: on\nimages:\n  data-stores: [corp/pg-*]\n  peer-to-peer: ring\n",
        )
        .expect("valid");
        assert_eq!(c.fail_on, Some(None));
        assert_eq!(c.namespace.as_deref(), Some("prod"));
        assert_eq!(c.include, ["deploy"]);
        assert_eq!(c.exclude, ["vendor", "**/testdata/**"]);
        assert_eq!(c.contexts, ["clusters/*"]);
        assert_eq!(
            c.rules,
            [
                ("missing-pdb", RuleLevel::Off),
                ("missing-backup", RuleLevel::At(Severity::Error)),
                ("missing-resources", RuleLevel::On),
            ]
        );
        assert_eq!(c.data_store_images, ["corp/pg-*"]);
        assert_eq!(c.peer_to_peer_images, ["ring"]);
        assert_eq!(parse("c", "").expect("empty"), FileConfig::default());
        assert_eq!(
            parse("c", "# only comments\n").expect("comments"),
            FileConfig::default()
        );
    }

    #[test]
    fn errors_are_located_with_a_suggestion() {
        assert_eq!(
            errors("fail-on: warning\nexlude: [a]\n"),
            [".stslint.yaml:2:1: unknown key `exlude` in the config\n  help: did you mean `exclude`?"]
        );
        assert_eq!(
            errors("rules:\n  missing-pbd: off\n  missing-backup: warn\n"),
            [
                ".stslint.yaml:2:3: unknown rule `missing-pbd`\n  help: did you mean `missing-pdb`?",
                ".stslint.yaml:3:19: `missing-backup` is `warn`, expected one of off, on, note, warning, error\n  help: did you mean `warning`?",
            ]
        );
        assert_eq!(
            errors("fail-on: 3\nimages:\n  datastores: x\ninclude: ['a[']\n"),
            [
                ".stslint.yaml:1:10: `fail-on` must be a string, not a number",
                ".stslint.yaml:3:3: unknown key `datastores` under `images`\n  help: did you mean `data-stores`?",
                ".stslint.yaml:4:11: `a[` is not a valid glob: error parsing glob '**/a[': unclosed character class; missing ']'\n  help: globs use `*` (within a directory), `**` (any depth), `?`, `[abc]` and `{a,b}`",
            ]
        );
        assert_eq!(
            errors("- a\n"),
            [".stslint.yaml:1:1: the config must be a mapping, not a sequence"]
        );
        assert_eq!(
            errors("a: b\n---\nc: d\n"),
            [".stslint.yaml:3:1: a config file holds one YAML document"]
        );
        assert_eq!(
            errors("a: [\n"),
            [".stslint.yaml:1:4: not valid YAML: unclosed bracket '['"]
        );
        assert_eq!(
            errors("namespace: a\nnamespace: b\n"),
            [".stslint.yaml:2:1: `namespace` is set twice\n  help: remove one of them"]
        );
    }

    #[test]
    fn globs_match_relative_to_the_root() {
        let root = Path::new("/repo");
        let f = PathFilter::new(
            root,
            &["deploy".into()],
            &["vendor".into(), "/charts/*/templates".into()],
        );
        assert!(f.excluded(Path::new("/repo/a/vendor/x.yaml")));
        assert!(f.excluded(Path::new("/repo/charts/db/templates/sts.yaml")));
        assert!(!f.excluded(Path::new("/repo/x/charts/db/templates/sts.yaml")));
        assert!(!f.excluded(Path::new("/repo/deploy/x.yaml")));
        assert_eq!(f.included(Path::new("/repo/deploy/db/x.yaml")), Some(true));
        assert_eq!(f.included(Path::new("/repo/other/x.yaml")), Some(false));
        assert_eq!(
            PathFilter::new(root, &[], &[]).included(Path::new("/repo/x")),
            None
        );
        let c = Contexts::new(root, &["clusters/*".into(), "examples".into()]).expect("set");
        assert_eq!(
            c.of("/repo/clusters/prod/db/sts.yaml").as_deref(),
            Some("clusters/prod")
        );
        assert_eq!(c.of("/repo/examples/a/b.yaml").as_deref(), Some("examples"));
        assert_eq!(c.of("/repo/other/b.yaml"), None);
        assert_eq!(c.of("/repo/clusters/top.yaml"), None);
    }

    #[test]
    fn the_starter_is_a_valid_config() {
        let c = parse("starter", &starter()).expect("the starter parses");
        assert_eq!(c.fail_on, Some(Some(Severity::Warning)));
        assert_eq!(c.exclude, ["**/testdata/**"]);
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("exlude", ["include", "exclude"].into_iter()),
            Some("exclude")
        );
        assert_eq!(
            did_you_mean("zzz", ["include", "exclude"].into_iter()),
            None
        );
    }
}
