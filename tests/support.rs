//! Helpers shared by the integration tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use stslint::discover::{self, DiscoverOptions};
use stslint::engine::{self, Outcome, Settings};
use stslint::rules;
use stslint::source::SourceFile;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Lint in-memory sources with only `enabled` rules (all rules when empty).
pub fn lint_sources(files: Vec<SourceFile>, enabled: &[&str]) -> Outcome {
    let settings = Settings {
        disabled: disabled_except(enabled),
        ..Settings::default()
    };
    engine::lint(files, Vec::new(), &settings)
}

/// Lint paths (files or directories) relative to the crate root.
pub fn lint_paths(paths: &[PathBuf], enabled: &[&str]) -> Outcome {
    let opts = DiscoverOptions::default();
    let inputs = discover::discover(paths, &opts);
    assert!(
        !inputs
            .iter()
            .any(|i| matches!(i, discover::Input::Unreadable { .. })),
        "fixture paths exist: {inputs:?}"
    );
    let (files, problems) = discover::read_all(inputs, &opts);
    let settings = Settings {
        disabled: disabled_except(enabled),
        ..Settings::default()
    };
    engine::lint(files, problems, &settings)
}

fn disabled_except(enabled: &[&str]) -> Vec<String> {
    if enabled.is_empty() {
        return Vec::new();
    }
    rules::ALL
        .iter()
        .map(|e| e.id)
        .filter(|id| !enabled.contains(id))
        .map(str::to_string)
        .collect()
}

/// The path relative to the crate root, with `/`.
pub fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

// --- the binary, as users run it ----------------------------------------

pub fn stslint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stslint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run stslint")
}

pub fn stslint_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stslint"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stslint");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Run stslint in `dir`, as a user runs it there.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    stslint_in(dir, args, None)
}

/// Write `text` to `dir/rel`, creating its directories.
pub fn write_file(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Run stslint in `dir` (standard input from `input`, if given).
pub fn stslint_in(dir: &Path, args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stslint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stslint");
    let mut pipe = child.stdin.take().expect("stdin");
    pipe.write_all(input.unwrap_or_default().as_bytes())
        .expect("write stdin");
    drop(pipe);
    child.wait_with_output().expect("wait for stslint")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

pub fn tempdir(name: &str) -> std::path::PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The (file, message) of each input problem in JSON output, all of `kind`
/// and `severity`.
pub fn input_problems(j: &serde_json::Value, kind: &str, severity: &str) -> Vec<(String, String)> {
    j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["kind"], kind, "{e}");
            assert_eq!(e["severity"], severity, "{e}");
            (
                e["file"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Run stslint with a deadline: a run that blocks (on a FIFO, say) fails the
/// test instead of hanging it.
pub fn stslint_within(args: &[&str], secs: u64) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_stslint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stslint");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(out) => out.expect("wait for stslint"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("stslint {args:?} still running after {secs} s");
        }
    }
}

/// What one run of the binary cost: its CPU time and its peak resident memory.
#[derive(Debug)]
pub struct Cost {
    pub cpu: std::time::Duration,
    pub peak_rss_mb: f64,
}

/// Run stslint (standard input from `stdin`, if given) and measure what the
/// process alone cost. CPU time, not wall time: other tests running alongside
/// do not change it. The peak is the child's own (`VmHWM`, read at its exit
/// through ptrace's exit stop): `ru_maxrss` also counts the memory of the
/// process that spawned it, this test binary, as it was at the `exec`.
#[cfg(target_os = "linux")]
#[allow(clippy::zombie_processes)] // reaped by wait4, for its resource usage
pub fn stslint_cost(args: &[&str], stdin: Option<&[u8]>) -> (Output, Cost) {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_stslint"));
    command
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: runs in the forked child before exec; ptrace(2) is
    // async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            let null = std::ptr::null_mut::<libc::c_void>();
            if libc::ptrace(libc::PTRACE_TRACEME, 0, null, null) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("run stslint");
    let input = stdin.map(<[u8]>::to_vec);
    let mut pipe_in = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let (Some(p), Some(bytes)) = (pipe_in.as_mut(), input) {
            let _ = p.write_all(&bytes);
        }
    });
    let read_all = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = r.read_to_end(&mut b);
            b
        })
    };
    let out = read_all(Box::new(child.stdout.take().expect("stdout")));
    let err = read_all(Box::new(child.stderr.take().expect("stderr")));
    let pid = child.id() as libc::pid_t;
    let null = std::ptr::null_mut::<libc::c_void>();
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills; `pid` is our child,
    // traced by this thread (it forked it), and reaped here only.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut peak_kb = None;
    let mut traced = false;
    loop {
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(waited, pid, "wait4");
        if libc::WIFEXITED(status) || libc::WIFSIGNALED(status) {
            break;
        }
        assert!(libc::WIFSTOPPED(status), "status {status:#x}");
        let signal = libc::WSTOPSIG(status);
        let event = status >> 16;
        let resume = if signal == libc::SIGTRAP && event == libc::PTRACE_EVENT_EXIT {
            // Exiting, its memory not yet given back.
            peak_kb = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
                    line.split_whitespace().nth(1)?.parse::<u64>().ok()
                });
            0
        } else if signal == libc::SIGTRAP && !traced {
            // The stop at exec: ask for the stop at exit.
            traced = true;
            let options = (libc::PTRACE_O_TRACEEXIT | libc::PTRACE_O_EXITKILL) as usize;
            let r = unsafe {
                libc::ptrace(
                    libc::PTRACE_SETOPTIONS,
                    pid,
                    null,
                    options as *mut libc::c_void,
                )
            };
            assert_eq!(
                r,
                0,
                "PTRACE_SETOPTIONS: {}",
                std::io::Error::last_os_error()
            );
            0
        } else {
            signal
        };
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_CONT,
                pid,
                null,
                resume as usize as *mut libc::c_void,
            )
        };
        assert_eq!(r, 0, "PTRACE_CONT: {}", std::io::Error::last_os_error());
    }
    let stdout = out.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    let _ = writer.join();
    let tv = |t: libc::timeval| {
        std::time::Duration::from_secs(t.tv_sec as u64)
            + std::time::Duration::from_micros(t.tv_usec as u64)
    };
    let cost = Cost {
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        // Linux reports kilobytes
        peak_rss_mb: peak_kb.expect("VmHWM at the exit stop") as f64 / 1024.0,
    };
    let status = std::os::unix::process::ExitStatusExt::from_raw(status);
    (
        Output {
            status,
            stdout,
            stderr,
        },
        cost,
    )
}
