//! Finding and reading inputs: files, directories (recursively, honouring
//! `.gitignore` unless told not to) and standard input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Problem, ProblemKind};
use crate::source::{ByteSpan, FileId, OnDisk, SourceFile};

/// Extensions read when walking a directory. Files named explicitly are read
/// whatever their extension.
pub const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// Do not honour `.gitignore`, `.ignore` and git excludes.
    pub no_ignore: bool,
    /// Also walk hidden files and directories.
    pub hidden: bool,
    /// Files larger than this are reported and not read.
    pub max_file_size: u64,
    /// The name standard input is shown under.
    pub stdin_name: String,
    /// The config file's `include` and `exclude` globs.
    pub filter: Option<Arc<crate::config::PathFilter>>,
    /// Also read the manifests beside each named file (its directory, not
    /// below it), as context (see [`discover_with_context`]).
    pub context_dirs: bool,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            no_ignore: false,
            hidden: false,
            max_file_size: 16 * 1024 * 1024,
            stdin_name: "<stdin>".into(),
            filter: None,
            context_dirs: false,
        }
    }
}

/// One input to read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Input {
    Stdin,
    File(PathBuf),
    /// A Helm chart directory (it holds `Chart.yaml`) met while walking: not
    /// read (its templates are YAML only once rendered), reported as a note.
    Chart(PathBuf),
    /// A path that cannot be read or walked (missing, unreadable, a symlink
    /// loop): reported as a problem of its own while the rest is linted.
    Unreadable {
        path: PathBuf,
        message: String,
    },
}

/// Expand paths into the inputs to read, in a stable order: the order the
/// paths were given, each directory's files sorted by path. Symbolic links
/// are followed (a loop is reported, not walked); a path that cannot be read
/// or walked becomes an [`Input::Unreadable`], and the others are still read.
pub fn discover(paths: &[PathBuf], opts: &DiscoverOptions) -> Vec<Input> {
    discover_with_context(paths, opts).0
}

/// Standard input named after a file that is also linted (an editor's
/// buffer, `--stdin-filename deploy/db.yaml - deploy/`) replaces that file:
/// the buffer is linted in its real context, its objects once, and the
/// stale copy on disk not at all.
fn replace_with_stdin(out: &mut Vec<Input>, opts: &DiscoverOptions) {
    if !out.contains(&Input::Stdin) {
        return;
    }
    let buffer = Path::new(&opts.stdin_name);
    let same = |p: &Path| match (std::fs::canonicalize(p), std::fs::canonicalize(buffer)) {
        (Ok(a), Ok(b)) => a == b,
        _ => lexical_absolute(p) == lexical_absolute(buffer),
    };
    out.retain(|i| !matches!(i, Input::File(p) if same(p)));
}

/// What identifies a file when a buffer replaces it (the language server's
/// open documents, as [`replace_with_stdin`] compares them): its canonical
/// path when it exists (symbolic links resolved), else its path made
/// absolute lexically.
pub fn file_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| lexical_absolute(path))
}

/// `path` made absolute against the working directory, `.` and `..`
/// resolved without looking at the disk.
pub fn lexical_absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// [`discover`], and with [`DiscoverOptions::context_dirs`] the manifests
/// beside each named file: the inputs in order (named first), and how many
/// of them are named. The others are context: they link with the named
/// files (a headless Service, a PDB, a backup in the same directory) and are
/// not reported on.
pub fn discover_with_context(paths: &[PathBuf], opts: &DiscoverOptions) -> (Vec<Input>, usize) {
    if !opts.context_dirs {
        let mut out = walk(paths, opts, None);
        replace_with_stdin(&mut out, opts);
        let named = out.len();
        return (out, named);
    }
    // A staged chart template is not YAML until rendered: its chart is
    // noted, as a walk notes it, and nothing beside it is read.
    let (in_charts, paths): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| chart_of(p).is_some());
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    let mut out = walk(&paths, opts, None);
    for p in in_charts {
        if let Some(chart) = chart_of(p) {
            let chart = Input::Chart(chart);
            if !out.contains(&chart) {
                out.push(chart);
            }
        }
    }
    replace_with_stdin(&mut out, opts);
    let named = out.len();
    {
        let dirs: Vec<PathBuf> = paths
            .iter()
            .filter(|p| p.as_os_str() != "-" && p.is_file())
            .map(|p| match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            })
            .collect();
        let mut seen: std::collections::HashSet<Input> = out.iter().cloned().collect();
        let mut beside = walk(&dirs, opts, Some(1));
        if out.contains(&Input::Stdin) {
            beside.push(Input::Stdin);
            replace_with_stdin(&mut beside, opts);
        }
        for i in beside {
            // `./db.yaml` from walking `.` is the named `db.yaml`.
            let i = match i {
                Input::File(p) => {
                    Input::File(p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p))
                }
                other => other,
            };
            if seen.insert(i.clone()) {
                out.push(i);
            }
        }
    }
    (out, named)
}

/// The inputs of `paths`, directories walked down to `max_depth`.
fn walk(paths: &[PathBuf], opts: &DiscoverOptions, max_depth: Option<usize>) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let meta = match std::fs::metadata(p) {
            Ok(m) => m,
            Err(e) => {
                out.push(Input::Unreadable {
                    path: p.clone(),
                    message: io_message(&e),
                });
                continue;
            }
        };
        let filter = opts.filter.as_deref();
        // Excluded by the config file, even when named: a pre-commit hook
        // names the staged files, and an excluded one must stay out.
        if filter.is_some_and(|f| f.excluded(p)) {
            continue;
        }
        if !meta.is_dir() {
            out.push(Input::File(p.clone()));
            continue;
        }
        let mut found = Vec::new();
        if is_chart(p) {
            out.push(Input::Chart(p.clone()));
            continue;
        }
        let mut walker = ignore::WalkBuilder::new(p);
        // Charts met on the way: skipped with their whole tree, and noted.
        let charts = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = charts.clone();
        let f = opts.filter.clone();
        walker.filter_entry(move |e| {
            if f.as_ref().is_some_and(|f| f.excluded(e.path())) {
                return false;
            }
            if e.file_type().is_some_and(|t| t.is_dir()) && is_chart(e.path()) {
                if let Ok(mut c) = seen.lock() {
                    c.push(e.path().to_path_buf());
                }
                return false;
            }
            true
        });
        let walker = walker
            .hidden(!opts.hidden)
            .git_ignore(!opts.no_ignore)
            .git_global(!opts.no_ignore)
            .git_exclude(!opts.no_ignore)
            .ignore(!opts.no_ignore)
            .parents(!opts.no_ignore)
            .follow_links(true)
            .max_depth(max_depth)
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let (path, message) = walk_error(p, &e);
                    found.push(Input::Unreadable { path, message });
                    continue;
                }
            };
            let path = entry.path();
            // FIFOs, sockets and devices with a manifest's name are kept, to
            // be reported (never opened) when read: nothing is skipped silently.
            let is_file = entry.file_type().is_some_and(|t| !t.is_dir());
            let ext_ok = filter.and_then(|f| f.included(path)).unwrap_or_else(|| {
                path.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
            });
            if is_file && ext_ok {
                found.push(Input::File(entry.into_path()));
            }
        }
        if let Ok(mut c) = charts.lock() {
            found.extend(c.drain(..).map(Input::Chart));
        }
        found.sort_by(|a, b| input_path(a).cmp(input_path(b)));
        out.extend(found);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|i| seen.insert(i.clone()));
    out
}

fn input_path(i: &Input) -> &Path {
    match i {
        Input::Stdin => Path::new("-"),
        Input::File(p) | Input::Chart(p) | Input::Unreadable { path: p, .. } => p,
    }
}

/// The chart directory a named file is in (a directory of its path that
/// holds `Chart.yaml`), if any.
fn chart_of(file: &Path) -> Option<PathBuf> {
    if file.as_os_str() == "-" {
        return None;
    }
    file.ancestors()
        .skip(1)
        .filter(|d| !d.as_os_str().is_empty())
        .find(|d| is_chart(d))
        .map(Path::to_path_buf)
}

/// Whether `dir` is a Helm chart: it holds a `Chart.yaml`.
fn is_chart(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

/// Where a directory walk failed, and why.
fn walk_error(root: &Path, e: &ignore::Error) -> (PathBuf, String) {
    match e {
        ignore::Error::Loop { child, ancestor } => (
            child.clone(),
            format!(
                "a symbolic link loop (back to {}): not followed",
                display(ancestor)
            ),
        ),
        ignore::Error::WithPath { path, err } => (path.clone(), walk_error(path, err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(root, err)
        }
        ignore::Error::Io(io) => (root.to_path_buf(), io_message(io)),
        other => (root.to_path_buf(), other.to_string()),
    }
}

/// The inputs as source files. Standard input is read now; files on disk are
/// read when they are linted ([`read_disk`]), so that a large tree is never
/// held in memory at once.
pub fn read_all(inputs: Vec<Input>, opts: &DiscoverOptions) -> (Vec<SourceFile>, Vec<Problem>) {
    let mut files = Vec::with_capacity(inputs.len());
    let mut problems = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        match input {
            Input::Stdin => {
                let mut buf = Vec::new();
                let r = std::io::stdin()
                    .take(opts.max_file_size + 1)
                    .read_to_end(&mut buf);
                let (f, p) = decode(
                    FileId(i as u32),
                    opts.stdin_name.clone(),
                    r.map(|_| Arc::from(buf)),
                    opts.max_file_size,
                );
                let mut f = f;
                f.stdin = true;
                files.push(f);
                problems.extend(p);
            }
            Input::Chart(path) => {
                let name = display(&path);
                problems.push(Problem {
                    file: FileId(i as u32),
                    span: None,
                    kind: ProblemKind::HelmChart,
                    message: format!(
                        "skipped helm chart {name}: templates are rendered by helm; lint the output: helm template {name} | stslint -"
                    ),
                    help: None,
                });
                files.push(SourceFile::new(name, ""));
            }
            Input::File(p) => files.push(SourceFile::on_disk(display(&p), p, opts.max_file_size)),
            Input::Unreadable { path, message } => {
                problems.push(Problem {
                    file: FileId(i as u32),
                    span: None,
                    kind: ProblemKind::Io,
                    message: format!("cannot read: {message}"),
                    help: None,
                });
                files.push(SourceFile::new(display(&path), ""));
            }
        }
    }
    (files, problems)
}

/// Read a file on disk: its text, or a problem saying why it cannot be linted
/// (not a regular file, unreadable, too large, not UTF-8). Only regular files
/// are opened, and never more than the size limit and one byte is read.
pub fn read_disk(id: FileId, name: &str, disk: &OnDisk) -> (SourceFile, Option<Problem>) {
    let name = name.to_string();
    let path = disk.path(&name);
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => return not_a_file(id, name, &m),
        Ok(m) if m.len() > disk.max_size => {
            return too_large(id, name, m.len(), disk.max_size);
        }
        _ => {}
    }
    let text = read_at_most(path, disk.max_size + 1);
    decode(id, name, text, disk.max_size)
}

/// At most `limit` bytes of the regular file at `path` (checked again once
/// open: the path may have been replaced since its metadata was read).
///
/// The bytes are read in place into one shared block of the file's size,
/// which becomes the file's text without a copy: read into a `Vec` and then
/// moved into an `Arc<str>`, a large file was held twice at the peak.
fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Arc<[u8]>> {
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let expected = meta.len().min(limit) as usize;
    let mut block: Arc<[u8]> = std::iter::repeat_n(0u8, expected).collect();
    let Some(buf) = Arc::get_mut(&mut block) else {
        return Err(std::io::Error::other("the read buffer is shared"));
    };
    let mut filled = 0;
    while filled < expected {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // The file changed size since its metadata was read: what it holds now.
    if filled < expected {
        return Ok(Arc::from(&buf[..filled]));
    }
    let mut more = Vec::new();
    file.take(limit - expected as u64).read_to_end(&mut more)?;
    if more.is_empty() {
        return Ok(block);
    }
    let mut all = block.to_vec();
    all.append(&mut more);
    Ok(Arc::from(all))
}

/// `bytes` as text, when they are UTF-8: the same block, not a copy.
fn shared_text(bytes: Arc<[u8]>) -> Result<Arc<str>, (Arc<[u8]>, std::str::Utf8Error)> {
    if let Err(e) = std::str::from_utf8(&bytes) {
        return Err((bytes, e));
    }
    // SAFETY: the bytes were just checked to be UTF-8, and `str` has the
    // layout of `[u8]`, so the allocation is a valid `Arc<str>` (the std
    // library converts `Arc<str>` to `Arc<[u8]>` the same way).
    Ok(unsafe { Arc::from_raw(Arc::into_raw(bytes) as *const str) })
}

fn not_a_file(id: FileId, name: String, meta: &std::fs::Metadata) -> (SourceFile, Option<Problem>) {
    let problem = Problem {
        file: id,
        span: None,
        kind: ProblemKind::NotAFile,
        message: format!(
            "skipped: the path is {}, not a file; only regular files are read",
            file_kind(meta)
        ),
        help: None,
    };
    (SourceFile::new(name, ""), Some(problem))
}

#[cfg(unix)]
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    if meta.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

fn decode(
    id: FileId,
    name: String,
    bytes: std::io::Result<Arc<[u8]>>,
    max_size: u64,
) -> (SourceFile, Option<Problem>) {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            let problem = Problem {
                file: id,
                span: None,
                kind: ProblemKind::Io,
                message: format!("cannot read: {}", io_message(&e)),
                help: None,
            };
            return (SourceFile::new(name, ""), Some(problem));
        }
    };
    if bytes.len() as u64 > max_size {
        return too_large(id, name, bytes.len() as u64, max_size);
    }
    if let Some(encoding) = wide_encoding(&bytes) {
        // Read as UTF-8 it would be a NUL in every other byte: say what it is.
        let problem = Problem {
            file: id,
            span: Some(ByteSpan::new(0, 1)),
            kind: ProblemKind::Encoding,
            message: format!(
                "the file is {encoding} (it starts with a {encoding} byte-order mark): stslint reads UTF-8, as Kubernetes tooling expects; the file was not linted"
            ),
            help: Some(format!("convert it: `iconv -f {encoding} -t UTF-8 FILE`")),
        };
        return (SourceFile::new(name, ""), Some(problem));
    }
    match shared_text(bytes) {
        Ok(text) => {
            let text = match text.strip_prefix('\u{feff}') {
                Some(rest) => Arc::from(rest),
                None => text,
            };
            (SourceFile::new(name, text), None)
        }
        Err((bytes, e)) => {
            let at = e.valid_up_to();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let problem = Problem {
                file: id,
                span: Some(ByteSpan::new(at, at + 1)),
                kind: ProblemKind::Encoding,
                message: "not valid UTF-8: Kubernetes manifests must be UTF-8 text".into(),
                help: None,
            };
            (SourceFile::new(name, text), Some(problem))
        }
    }
}

/// The UTF-16 or UTF-32 encoding that `bytes` announce with a byte-order mark.
fn wide_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0, 0, 0xFE, 0xFF, ..] => Some("UTF-32BE"),
        [0xFF, 0xFE, 0, 0, ..] => Some("UTF-32LE"),
        [0xFE, 0xFF, ..] => Some("UTF-16BE"),
        [0xFF, 0xFE, ..] => Some("UTF-16LE"),
        _ => None,
    }
}

fn too_large(id: FileId, name: String, len: u64, max: u64) -> (SourceFile, Option<Problem>) {
    let problem = Problem {
        file: id,
        span: None,
        kind: ProblemKind::TooLarge,
        message: format!(
            "skipped: the file is {} bytes, over the limit of {max} bytes",
            len
        ),
        help: Some(
            "raise the limit with `--max-file-size BYTES` if this file is meant to be linted"
                .into(),
        ),
    };
    (SourceFile::new(name, ""), Some(problem))
}

/// A path as shown in output: as given, with `/` separators.
pub fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    let s = s.strip_prefix("./").unwrap_or(&s);
    if std::path::MAIN_SEPARATOR == '\\' {
        s.replace('\\', "/")
    } else {
        s.to_string()
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
