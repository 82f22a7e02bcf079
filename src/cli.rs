//! Command-line arguments → [`Config`] → run → exit code. The binary's `main`
//! is a thin wrapper over [`main_with`].

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::{self, RuleLevel};
use crate::diagnostic::Severity;
use crate::discover::{self, DiscoverOptions};
use crate::engine::{self, Outcome, Settings};
use crate::manifest::LoadOptions;
use crate::report::{self, Format, HumanOptions};
use crate::rules;

mod fixes;

/// Lint Kubernetes manifests of stateful workloads: StatefulSets and their
/// headless Services, PodDisruptionBudgets, StorageClasses, backups and Secrets.
#[derive(Debug, Parser)]
#[command(name = "stslint", version, args_conflicts_with_subcommands = true)]
#[command(group(clap::ArgGroup::new("fixing").args(["fix", "diff"])))]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files and directories to lint; `-` reads standard input. Directories are
    /// walked for *.yaml, *.yml and *.json. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,

    /// Write the report to FILE instead of standard output (replaced
    /// atomically; `-` is standard output). The exit code still reflects
    /// the findings.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a finding of this severity or higher is reported
    /// [default: warning, or `fail-on` in the config file].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// The config file (default: the nearest `.stslint.yaml` above the
    /// linted paths).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no config file.
    #[arg(long)]
    pub no_config: bool,

    /// Print the configuration the run would use (the config file with the
    /// command line applied), and exit.
    #[arg(long)]
    pub show_config: bool,

    /// Report only findings that this baseline does not record (see
    /// `--write-baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record today's findings in FILE (by rule, object and fingerprint, not
    /// line), pruning its entries that no longer occur; exit 0 unless an
    /// input could not be linted.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Apply the safe fixes of the findings reported (rewriting only the
    /// edited bytes of each file), then report what is left.
    #[arg(long, conflicts_with_all = ["diff", "write_baseline", "show_config"])]
    pub fix: bool,

    /// Print what the fixes would change as a unified diff, and write
    /// nothing; exit with 1 when there is something to fix.
    #[arg(long, conflicts_with_all = ["write_baseline", "show_config"])]
    pub diff: bool,

    /// With `--fix` or `--diff`: also the fixes that change what runs on a
    /// live cluster (`stslint rules` shows which rules have them).
    #[arg(long, requires = "fixing")]
    pub unsafe_fixes: bool,

    /// The file name to show for standard input.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_filename: String,

    /// The namespace of objects that do not set `metadata.namespace`.
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,

    /// Lint each named file together with the manifests beside it (its
    /// directory, not below), and report only on the named files: what a
    /// pre-commit hook needs, as cross-object rules look at companions.
    #[arg(long)]
    pub context_dirs: bool,

    /// Do not skip files ignored by .gitignore, .ignore and git excludes.
    #[arg(long)]
    pub no_ignore: bool,

    /// Also lint hidden files and directories.
    #[arg(long)]
    pub hidden: bool,

    /// Run only these rules (comma-separated, repeatable; default: all
    /// rules the config file does not turn off).
    #[arg(long, value_name = "RULE,…", value_delimiter = ',')]
    pub select: Vec<String>,

    /// Do not run these rules (comma-separated, repeatable).
    #[arg(long, value_name = "RULE,…", value_delimiter = ',')]
    pub disable: Vec<String>,

    /// Files larger than this many bytes are reported and not read.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_file_size: u64,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Number of threads, 1 to 256 (default: one per core).
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    pub threads: Option<u16>,

    /// The directory that the origins of rendered input are relative to:
    /// the directory given to `kustomize build`, or the one holding the
    /// chart for `helm template` (README: Inputs).
    #[arg(long, value_name = "DIR")]
    pub origin_root: Option<PathBuf>,

    /// Finding no Kubernetes object in the inputs is not an error.
    #[arg(long)]
    pub allow_empty: bool,

    /// Do not print the summary line (on stderr after human, compact and
    /// github output, and when `-o` writes the report to a file).
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the rules with their default severity and summary.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. missing-headless-service.
        rule: String,
    },
    /// Write a commented starter `.stslint.yaml` in the current directory.
    Init {
        /// Replace an existing `.stslint.yaml`.
        #[arg(long)]
        force: bool,
    },
    /// Run the language server on standard input and output (for editors:
    /// README, In an editor).
    Lsp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Reports with source snippets, for a terminal
    Human,
    /// One JSON document (see README, Output)
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers
    Sarif,
    /// `path:line:col: severity[rule-id] message`, one per line, for editors
    Compact,
    /// GitHub Actions workflow commands (annotations on the pull request)
    Github,
    /// JUnit XML: a test suite per file, a failing test case per finding
    Junit,
    /// GitLab Code Quality report (`artifacts: reports: codequality`)
    Gitlab,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Never exit with 1 for findings (input errors still exit with 2).
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Everything a lint run needs, decided from the arguments, the config file
/// and the environment.
#[derive(Debug)]
pub struct Config {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    /// Where the report goes: `None` (or `-`) is standard output.
    pub output: Option<PathBuf>,
    pub fail_on: Option<Severity>,
    pub discover: DiscoverOptions,
    pub settings: Settings,
    pub human: HumanOptions,
    pub threads: Option<usize>,
    pub quiet: bool,
    /// Finding no object is not an error (`--allow-empty`).
    pub allow_empty: bool,
    /// The config file used, as shown, if any.
    pub file: Option<String>,
    /// The file's settings with the command line applied (`--show-config`).
    pub merged: config::FileConfig,
    pub baseline: Option<crate::baseline::Baseline>,
    pub write_baseline: Option<PathBuf>,
    /// `--fix` or `--diff`.
    pub fixing: Option<Fixing>,
}

/// What `--fix`, `--diff` and `--unsafe-fixes` ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixing {
    /// Write the files (`--fix`), or print a diff (`--diff`).
    pub write: bool,
    pub unsafe_fixes: bool,
}

/// A run that could not start (bad arguments, a bad config file).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("unknown rule `{}`{} (see `stslint rules`)", crate::report::escape(.0), suggest_rule(.0))]
    UnknownRule(String),
    /// The config file cannot be used (every error, located).
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Threads(String),
    #[error("writing output: {0}")]
    Output(std::io::Error),
    /// The report file (`-o`) could not be written.
    #[error("cannot write the report to {}: {}", crate::report::escape(&.0), .1)]
    OutputFile(String, std::io::Error),
}

/// `, did you mean `x`?` for a near rule id, else nothing.
fn suggest_rule(id: &str) -> String {
    config::did_you_mean(id, rules::ALL.iter().map(|e| e.id))
        .map(|m| format!(", did you mean `{m}`?"))
        .unwrap_or_default()
}

impl Config {
    /// The configuration `stslint PATHS` would use with no other argument:
    /// the nearest config file above the paths (none with `use_config`
    /// false, as `--no-config`), every other setting at its default. For
    /// runs without a command line: the language server's.
    pub fn for_paths(paths: Vec<PathBuf>, use_config: bool) -> Result<Config, Error> {
        let mut args = Args::try_parse_from(["stslint"])
            .map_err(|e| Error::Config(format!("the default arguments: {e}")))?;
        args.paths = paths;
        args.no_config = !use_config;
        args.color = ColorArg::Never;
        Config::from_args(args)
    }

    pub fn from_args(args: Args) -> Result<Config, Error> {
        for d in args.disable.iter().chain(&args.select) {
            if rules::meta(d).is_none() {
                return Err(Error::UnknownRule(d.clone()));
            }
        }
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths
        };
        let path = if args.no_config {
            None
        } else if let Some(c) = args.config {
            Some(c)
        } else {
            config::find_for(&paths).map_err(Error::Config)?
        };
        let (mut merged, root, file) = match &path {
            Some(p) => {
                let name = discover::display(p);
                let c = config::load(p, &name).map_err(|e| Error::Config(e.to_string()))?;
                (c, config::root_of(p), Some(name))
            }
            None => (
                config::FileConfig::default(),
                std::env::current_dir().unwrap_or_default(),
                None,
            ),
        };
        // The command line wins over the file.
        if let Some(f) = args.fail_on {
            merged.fail_on = Some(match f {
                FailOn::Error => Some(Severity::Error),
                FailOn::Warning => Some(Severity::Warning),
                FailOn::Note => Some(Severity::Note),
                FailOn::None => None,
            });
        }
        if args.namespace.is_some() {
            merged.namespace = args.namespace;
        }
        let level = |id: &str, rules: &[(&str, RuleLevel)]| {
            rules
                .iter()
                .find(|(r, _)| *r == id)
                .map_or(RuleLevel::On, |(_, l)| *l)
        };
        let mut levels: Vec<(&'static str, RuleLevel)> = rules::ALL
            .iter()
            .map(|e| {
                let l = level(e.id, &merged.rules);
                let selected = args.select.iter().any(|s| s == e.id);
                let l = match l {
                    _ if args.disable.iter().any(|d| d == e.id) => RuleLevel::Off,
                    _ if !args.select.is_empty() && !selected => RuleLevel::Off,
                    // `--select` runs a rule the file turned off.
                    RuleLevel::Off if selected => RuleLevel::On,
                    l => l,
                };
                (e.id, l)
            })
            .collect();
        let disabled = levels
            .iter()
            .filter(|(_, l)| *l == RuleLevel::Off)
            .map(|(id, _)| id.to_string())
            .collect();
        let severities = levels
            .iter()
            .filter_map(|&(id, l)| match l {
                RuleLevel::At(s) => Some((id, s)),
                _ => None,
            })
            .collect();
        levels.retain(|(_, l)| *l != RuleLevel::On);
        merged.rules = levels;
        let color = match args.color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let filter = (!merged.include.is_empty() || !merged.exclude.is_empty()).then(|| {
            std::sync::Arc::new(config::PathFilter::new(
                &root,
                &merged.include,
                &merged.exclude,
            ))
        });
        let images = crate::catalog::ExtraImages::new(
            &merged.data_store_images,
            &merged.peer_to_peer_images,
        );
        Ok(Config {
            paths,
            format: match args.format {
                FormatArg::Human => Format::Human,
                FormatArg::Json => Format::Json,
                FormatArg::Sarif => Format::Sarif,
                FormatArg::Compact => Format::Compact,
                FormatArg::Github => Format::Github,
                FormatArg::Junit => Format::Junit,
                FormatArg::Gitlab => Format::Gitlab,
            },
            output: args.output.filter(|o| o.as_os_str() != "-"),
            fail_on: merged.fail_on.unwrap_or(Some(Severity::Warning)),
            discover: DiscoverOptions {
                no_ignore: args.no_ignore,
                hidden: args.hidden,
                max_file_size: args.max_file_size,
                stdin_name: args.stdin_filename,
                filter,
                context_dirs: args.context_dirs,
            },
            settings: Settings {
                load: LoadOptions {
                    default_namespace: merged.namespace.clone(),
                    origin_root: args.origin_root.as_deref().map(discover::display),
                },
                disabled,
                severities,
                images: (!images.is_empty()).then(|| std::sync::Arc::new(images)),
                contexts: config::Contexts::new(&root, &merged.contexts),
            },
            human: HumanOptions {
                color,
                width: if color { terminal_width() } else { 100 },
            },
            threads: args.threads.map(usize::from),
            quiet: args.quiet,
            allow_empty: args.allow_empty,
            file,
            merged,
            baseline: match &args.baseline {
                Some(b) => Some(crate::baseline::Baseline::load(b).map_err(Error::Config)?),
                None => None,
            },
            write_baseline: args.write_baseline,
            fixing: (args.fix || args.diff).then_some(Fixing {
                write: args.fix,
                unsafe_fixes: args.unsafe_fixes,
            }),
        })
    }

    /// The configuration as a config file (`--show-config`): every rule with
    /// its level, every setting, and where it came from.
    pub fn show(&self) -> String {
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let list = |v: &[String]| {
            if v.is_empty() {
                "[]".to_string()
            } else {
                format!(
                    "[{}]",
                    v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
                )
            }
        };
        let m = &self.merged;
        let mut s = match &self.file {
            Some(f) => format!(
                "# from {}, with the command line applied\n",
                crate::report::escape(f)
            ),
            None => "# no config file: defaults, with the command line applied\n".to_string(),
        };
        s.push_str(&format!(
            "fail-on: {}\n",
            self.fail_on.map_or("none", Severity::as_str)
        ));
        match &m.namespace {
            Some(ns) => s.push_str(&format!("namespace: {}\n", q(ns))),
            None => s.push_str("# namespace: (none: objects without one are in no namespace)\n"),
        }
        s.push_str(&format!("include: {}\n", list(&m.include)));
        s.push_str(&format!("exclude: {}\n", list(&m.exclude)));
        s.push_str(&format!("contexts: {}\n", list(&m.contexts)));
        s.push_str(&format!(
            "images:\n  data-stores: {}\n  peer-to-peer: {}\n",
            list(&m.data_store_images),
            list(&m.peer_to_peer_images)
        ));
        s.push_str("rules:\n");
        for meta in rules::metas() {
            let level = m
                .rules
                .iter()
                .find(|(id, _)| *id == meta.id)
                .map_or(RuleLevel::On, |(_, l)| *l);
            let shown = match level {
                RuleLevel::On => meta.severity.as_str(),
                l => l.as_str(),
            };
            s.push_str(&format!("  {}: {shown}\n", meta.id));
        }
        s
    }
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Lint as configured: returns the outcome (for callers that want it) and the
/// exit code.
pub fn lint(config: &Config) -> Result<Outcome, Error> {
    let read = read_inputs(config);
    Ok(lint_read(config, read.files, read.problems, &read.context))
}

/// The inputs of a run, read (files on disk are read again when linted).
pub struct Read {
    pub files: Vec<crate::source::SourceFile>,
    pub problems: Vec<crate::diagnostic::Problem>,
    /// The files read only as context (`--context-dirs`): nothing is
    /// reported on them.
    pub context: std::collections::HashSet<String>,
}

/// Find and read the inputs the configuration names.
pub fn read_inputs(config: &Config) -> Read {
    let (inputs, named) = discover::discover_with_context(&config.paths, &config.discover);
    let context = inputs[named..]
        .iter()
        .filter_map(|i| match i {
            discover::Input::File(p) => Some(discover::display(p)),
            _ => None,
        })
        .collect();
    let (files, problems) = discover::read_all(inputs, &config.discover);
    Read {
        files,
        problems,
        context,
    }
}

/// Lint files already read: the engine, then what the configuration does
/// with its outcome (no silent pass, context files, the baseline).
pub fn lint_read(
    config: &Config,
    files: Vec<crate::source::SourceFile>,
    problems: Vec<crate::diagnostic::Problem>,
    context: &std::collections::HashSet<String>,
) -> Outcome {
    let mut outcome = engine::lint(files, problems, &config.settings);
    no_silent_pass(&mut outcome, config);
    if !context.is_empty() {
        outcome.report_only(|name| !context.contains(name));
    }
    if let Some(b) = &config.baseline {
        b.apply(&mut outcome, &config.ran());
    }
    outcome
}

impl Config {
    /// The ids of the rules this run runs.
    pub fn ran(&self) -> std::collections::HashSet<&'static str> {
        let off = &self.settings.disabled;
        (rules::ALL.iter().map(|e| e.id))
            .filter(|id| !off.iter().any(|d| d == id))
            .collect()
    }
}

/// A run that found no Kubernetes object, and no input error that says
/// why, reports it (an error, a note with `--allow-empty`): a mistyped path
/// or an over-eager exclude must not pass CI silently.
fn no_silent_pass(outcome: &mut Outcome, config: &Config) {
    let errors = outcome
        .problems
        .iter()
        .any(|p| p.severity() == Severity::Error);
    if outcome.objects > 0 || errors {
        return;
    }
    let searched: Vec<String> = config
        .paths
        .iter()
        .map(|p| match p.as_os_str() == "-" {
            true => config.discover.stdin_name.clone(),
            false => discover::display(p),
        })
        .map(|p| format!("`{p}`"))
        .collect();
    let what = if config.paths.iter().all(|p| p.as_os_str() == "-") {
        "standard input".to_string()
    } else {
        let mut w = "directories walked for *.yaml, *.yml and *.json".to_string();
        if !config.discover.no_ignore {
            w.push_str(", honouring .gitignore");
        }
        if config.discover.filter.is_some() {
            w.push_str(" and the config file's include and exclude");
        }
        w
    };
    let mut message = format!(
        "no Kubernetes object found in {} ({what})",
        searched.join(", ")
    );
    if !outcome.skipped.is_empty() {
        message.push_str(&format!(
            "; {} skipped",
            plural(outcome.skipped.len(), "document", "documents")
        ));
    }
    if config.allow_empty {
        message.push_str("; nothing was linted");
    }
    // The problem names the first input, or the first path searched.
    let file = match outcome.files.first() {
        Some(_) => crate::source::FileId(0),
        None => {
            let name = searched
                .first()
                .map(|s| s.trim_matches('`').to_string())
                .unwrap_or_default();
            outcome.files.push(crate::source::SourceFile::new(name, ""));
            outcome.positions.push(Vec::new());
            outcome.secret_spans.push(Vec::new());
            crate::source::FileId(0)
        }
    };
    outcome.problems.push(crate::diagnostic::Problem {
        file,
        span: None,
        kind: crate::diagnostic::ProblemKind::NoManifests {
            allowed: config.allow_empty,
        },
        message,
        help: (!config.allow_empty).then(|| {
            "check the paths (and the config's exclude); pass --allow-empty if linting nothing is expected".to_string()
        }),
    });
}

/// Most threads `-j` accepts: more is never faster, and each costs a 16 MiB
/// stack reservation.
const MAX_THREADS: i64 = 256;

/// Start the thread pool once per process (a second run in the same process,
/// as in tests, keeps the first pool). A pool that cannot start (too little
/// memory for the stacks, a process limit) is an error, not a panic later.
fn start_threads(threads: Option<usize>) -> Result<(), Error> {
    static STARTED: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let mut started = STARTED.lock().unwrap_or_else(|p| p.into_inner());
    if *started {
        return Ok(());
    }
    let mut pool = rayon::ThreadPoolBuilder::new().stack_size(16 * 1024 * 1024);
    if let Some(n) = threads {
        pool = pool.num_threads(n);
    }
    pool.build_global().map_err(|e| {
        let n = threads.map_or_else(|| "one per core".to_string(), |n| n.to_string());
        Error::Threads(format!(
            "cannot start the worker threads ({n}): {e}; try a smaller `-j`"
        ))
    })?;
    *started = true;
    Ok(())
}

/// The exit code for an outcome: 2 when some input could not be linted, 1 when
/// a finding is at or above `fail_on`, else 0.
pub fn exit_code(outcome: &Outcome, fail_on: Option<Severity>) -> u8 {
    if outcome
        .problems
        .iter()
        .any(|p| p.severity() == Severity::Error)
    {
        2
    } else if fail_on.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t)) {
        1
    } else {
        0
    }
}

/// Parse arguments, run, print, and return the process exit code.
pub fn main_with(args: Args) -> ExitCode {
    match run(args) {
        Ok(code) => ExitCode::from(code),
        Err(Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stslint: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<u8, Error> {
    match &args.command {
        Some(Command::Rules) => {
            let mut s = format!(
                "{:<28} {:<8} {:<13} {}\n",
                "RULE", "SEVERITY", "FIX", "SUMMARY"
            );
            for m in rules::metas() {
                s.push_str(&format!(
                    "{:<28} {:<8} {:<13} {}\n",
                    m.id,
                    m.severity.as_str(),
                    m.fixes_text(),
                    m.summary
                ));
            }
            write_stdout(&s)?;
            return Ok(0);
        }
        Some(Command::Explain { rule }) => {
            let Some(m) = rules::meta(rule) else {
                return Err(Error::UnknownRule(rule.clone()));
            };
            write_stdout(&m.doc(false))?;
            return Ok(0);
        }
        Some(Command::Init { force }) => return init(*force),
        Some(Command::Lsp) => {
            start_threads(None)?;
            return Ok(crate::lsp::run());
        }
        None => {}
    }
    let start = Instant::now();
    let show = args.show_config;
    let config = Config::from_args(args)?;
    if show {
        write_stdout(&config.show())?;
        return Ok(0);
    }
    start_threads(config.threads)?;
    if let Some(fixing) = config.fixing {
        return fix(&config, fixing, start);
    }
    let outcome = lint(&config)?;
    emit(&config, &outcome, start)?;
    let mut code = exit_code(&outcome, config.fail_on);
    if let Some(path) = &config.write_baseline {
        let n = crate::baseline::write(path, &outcome, &config.ran()).map_err(Error::Config)?;
        if !config.quiet {
            eprintln!(
                "stslint: wrote the baseline {}: {}",
                crate::report::escape(&path.display().to_string()),
                plural(n, "entry", "entries")
            );
        }
        // The findings are recorded, not failed on.
        if code == 1 {
            code = 0;
        }
    }
    // The process ends here: freeing every finding and file one by one would
    // only delay the exit (the operating system takes the memory back at once).
    std::mem::forget(outcome);
    Ok(code)
}

/// Write the report where the configuration says, and the summary line.
fn emit(config: &Config, outcome: &Outcome, start: Instant) -> Result<(), Error> {
    write_report(config, |w| {
        report::write_at(
            outcome,
            config.format,
            &config.human,
            &report::Place::from_env(),
            w,
        )
    })?;
    // On stderr: after a text report, or when the report went to a file.
    if !config.quiet
        && (config.output.is_some()
            || matches!(
                config.format,
                Format::Human | Format::Compact | Format::Github
            ))
    {
        eprintln!("{}", summary_line(outcome, start.elapsed()));
    }
    Ok(())
}

/// Write to standard output, or to the `-o` file.
fn write_report(
    config: &Config,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    match &config.output {
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            render(&mut out)
                .and_then(|_| out.flush())
                .map_err(Error::Output)
        }
        Some(path) => report::write_file(path, |w| render(w))
            .map_err(|e| Error::OutputFile(discover::display(path), e)),
    }
}

/// `--fix` and `--diff` (see [`fixes`]).
fn fix(config: &Config, fixing: Fixing, start: Instant) -> Result<u8, Error> {
    if fixing.write && config.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(Error::Config(
            "--fix rewrites files, and standard input is not one: use --diff to see the fixes, or the language server (`stslint lsp`) in an editor".into(),
        ));
    }
    let fixed = fixes::run(config, fixing.unsafe_fixes)?;
    let count: usize = fixed.changed.values().map(|c| c.fixes).sum();
    let files = plural(fixed.changed.len(), "file", "files");
    let mut notes = Vec::new();
    if fixed.unsafe_left > 0 {
        notes.push(format!(
            "{} more fixable with --unsafe-fixes",
            fixed.unsafe_left
        ));
    }
    if fixed.unfinished {
        notes.push("fixes still apply after 10 passes: run again".to_string());
    }
    let notes = match notes.is_empty() {
        true => String::new(),
        false => format!(" ({})", notes.join("; ")),
    };
    let input_errors = exit_code(&fixed.outcome, None) == 2;
    if !fixing.write {
        let diff = fixes::diff(&fixed);
        write_report(config, |w| w.write_all(diff.as_bytes()))?;
        if !config.quiet {
            eprintln!(
                "stslint: {} to {files} would be applied{notes}",
                plural(count, "fix", "fixes")
            );
        }
        return Ok(match () {
            _ if input_errors => 2,
            _ if count > 0 => 1,
            _ => 0,
        });
    }
    let written = fixes::write(&fixed.changed)?;
    emit(config, &fixed.outcome, start)?;
    if !config.quiet && count > 0 {
        eprintln!(
            "stslint: fixed {} in {}{notes}",
            plural(count, "finding", "findings"),
            plural(written, "file", "files")
        );
    } else if !config.quiet && !notes.is_empty() {
        eprintln!("stslint: nothing fixed{notes}");
    }
    Ok(exit_code(&fixed.outcome, config.fail_on))
}

/// `stslint init`: the starter config, never over an existing one unless
/// told to.
fn init(force: bool) -> Result<u8, Error> {
    let path = std::path::Path::new(config::FILE_NAMES[0]);
    if let Some(existing) = config::FILE_NAMES
        .iter()
        .map(std::path::Path::new)
        .find(|p| p.exists())
        .filter(|_| !force)
    {
        return Err(Error::Config(format!(
            "{} already exists; edit it, or pass --force to replace it",
            existing.display()
        )));
    }
    std::fs::write(path, config::starter())
        .map_err(|e| Error::Config(format!("cannot write {}: {e}", path.display())))?;
    eprintln!(
        "stslint: wrote {}: every rule is listed, commented out at its default severity",
        path.display()
    );
    Ok(0)
}

fn write_stdout(s: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|_| out.flush())
        .map_err(Error::Output)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `12 files, 40 objects: 3 errors, 5 warnings, 1 note (2 files could not be
/// linted, 1 document skipped) in 23 ms`
pub fn summary_line(o: &Outcome, elapsed: std::time::Duration) -> String {
    let c = report::counts(&o.findings);
    let mut s = format!(
        "stslint: {}, {}: {}, {}, {}",
        plural(o.files.len(), "file", "files"),
        plural(o.objects, "object", "objects"),
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
        plural(c.notes, "note", "notes"),
    );
    let mut extra = Vec::new();
    let input_errors = o
        .problems
        .iter()
        .filter(|p| p.severity() == Severity::Error)
        .count();
    if input_errors > 0 {
        extra.push(plural(input_errors, "input error", "input errors"));
    }
    if o.problems.len() > input_errors {
        extra.push(plural(
            o.problems.len() - input_errors,
            "input note",
            "input notes",
        ));
    }
    if !o.skipped.is_empty() {
        extra.push(format!(
            "{} skipped",
            plural(o.skipped.len(), "document", "documents")
        ));
    }
    if !o.suppressed.is_empty() {
        extra.push(format!(
            "{} suppressed",
            plural(o.suppressed.len(), "finding", "findings")
        ));
    }
    let fixable = |a: crate::fix::Applicability| {
        (o.findings.iter())
            .filter(|f| f.origin.is_none())
            .filter(|f| f.fix.as_ref().is_some_and(|x| x.applicability == a))
            .count()
    };
    let (safe, unsafe_) = (
        fixable(crate::fix::Applicability::Safe),
        fixable(crate::fix::Applicability::Unsafe),
    );
    match (safe, unsafe_) {
        (0, 0) => {}
        (s, 0) => extra.push(format!("{s} fixable with --fix")),
        (0, u) => extra.push(format!("{u} fixable with --fix --unsafe-fixes")),
        (s, u) => extra.push(format!(
            "{s} fixable with --fix, {u} more with --fix --unsafe-fixes"
        )),
    }
    if o.baseline_stale > 0 {
        extra.push(format!(
            "{} no longer found: --write-baseline prunes them",
            plural(o.baseline_stale, "baseline entry", "baseline entries")
        ));
    }
    if !extra.is_empty() {
        s.push_str(&format!(" ({})", extra.join(", ")));
    }
    s.push_str(&format!(" in {} ms", elapsed.as_millis()));
    s
}
